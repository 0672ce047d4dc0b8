// proxy-from-env 2.x ships no types. Its one function: the proxy URL for `url` per HTTP(S)_PROXY,
// ALL_PROXY and NO_PROXY, or "" for none.
declare module "proxy-from-env" {
  export function getProxyForUrl(url: string | URL): string;
}
