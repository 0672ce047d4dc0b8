import { ApiError, invalidBody, jsonTypeName } from "./api-errors";
import type { PermissionReference } from "./types";

const itemFields = ["resource_server_identifier", "permission_name"] as const;

/** Decodes a request body the way the Management API accepts it: JSON, or form-encoded (auth0-api-facts.md §0). */
export function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString("utf8");
  if (contentType?.toLowerCase().includes("application/x-www-form-urlencoded")) return decodeFormBody(text);
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, "Invalid request payload JSON format", "invalid_body");
  }
}

/** `permissions[0][permission_name]=x&...` (the bracket form qs produces) → `{permissions: [{...}]}`. */
function decodeFormBody(text: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const items: Array<Record<string, string>> = [];
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^permissions\[(\d+)\]\[([^\]]+)\]$/.exec(key);
    if (match === null) {
      result[key] = value;
      continue;
    }
    const index = Number(match[1]);
    const field = match[2] ?? "";
    if (index > 100_000) throw invalidBody("Array index too large", "permissions");
    items[index] = { ...items[index], [field]: value };
  }
  // Array.from turns holes (skipped indexes) into undefined, which validation then reports.
  if (items.length > 0) result["permissions"] = Array.from(items);
  return result;
}

/**
 * Validates `{permissions: [{resource_server_identifier, permission_name}]}` like Auth0's schema:
 * `permissions` required, `minItems: 1`, items with exactly the two string fields (§1 body schema).
 * The messages use the z-schema wording Auth0 returns ("Expected type array but found type null").
 */
export function parsePermissionsPayload(body: unknown, maxItems: number | undefined): PermissionReference[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidBody(`Expected type object but found type ${jsonTypeName(body)}`);
  }
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => key !== "permissions");
  if (extra.length > 0) throw invalidBody(`Additional properties not allowed: ${extra.join(",")}`);
  if (!("permissions" in record)) throw invalidBody("Missing required property: permissions");
  const permissions = record["permissions"];
  if (!Array.isArray(permissions)) {
    throw invalidBody(`Expected type array but found type ${jsonTypeName(permissions)}`, "permissions");
  }
  if (permissions.length < 1) throw invalidBody(`Array is too short (${permissions.length}), minimum 1`, "permissions");
  if (maxItems !== undefined && permissions.length > maxItems) {
    throw invalidBody(`Array is too long (${permissions.length}), maximum ${maxItems}`, "permissions");
  }
  return permissions.map((item: unknown, index) => parseItem(item, `permissions[${index}]`));
}

function parseItem(item: unknown, where: string): PermissionReference {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw invalidBody(`Expected type object but found type ${jsonTypeName(item)}`, where);
  }
  const record = item as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !(itemFields as readonly string[]).includes(key));
  if (extra.length > 0) throw invalidBody(`Additional properties not allowed: ${extra.join(",")}`, where);
  for (const field of itemFields) {
    if (!(field in record)) throw invalidBody(`Missing required property: ${field}`, where);
    const value = record[field];
    if (typeof value !== "string") {
      throw invalidBody(`Expected type string but found type ${jsonTypeName(value)}`, `${where}.${field}`);
    }
  }
  return {
    resource_server_identifier: record["resource_server_identifier"] as string,
    permission_name: record["permission_name"] as string,
  };
}
