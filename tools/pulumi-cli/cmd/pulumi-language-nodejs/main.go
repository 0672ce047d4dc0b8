// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine.
//
// Why this exists: the upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3). That module has no
// tags, and the Go module proxy this project can reach answers every pseudo-version of it
// (and its version list) with 403 "This module version is not available". The pulumi CLI
// itself (pkg/v3 and sdk/v3) is served, so we build the CLI from the proxy and provide the
// language host here, written against the LanguageRuntime gRPC contract of sdk/v3.
//
// Scope: enough for `pulumi preview/up/refresh/destroy/stack ...` on a Node.js project
// (JavaScript, or TypeScript through @pulumi/pulumi's own ts-node support):
//   - Run starts `node <@pulumi/pulumi/cmd/run> --monitor ... <entry point>` in the program
//     directory with PULUMI_CONFIG/PULUMI_CONFIG_SECRET_KEYS, exactly what the Node.js SDK
//     reads;
//   - GetRequiredPackages reports resource plugins declared by packages in node_modules;
//   - Handshake, GetPluginInfo, About, GetProgramDependencies, RuntimeOptionsPrompts, Cancel.
//
// Not implemented (answer Unimplemented): InstallDependencies (`pulumi install`, `pulumi new`:
// run npm yourself), code generation (Template, GenerateProject/Program/Package, Pack, Link),
// RunPlugin (Node.js-written provider plugins), debugger attach, the synchronous-invoke pipes
// and the bun runtime. The Node.js SDK connects to the engine's resource monitor directly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The Node.js SDK exits with this code after it has already shown the user an actionable
// error; the engine is then told to bail out without adding its own message.
const exitCodeAlreadyReported = 32

func main() {
	// The engine may pass --logtostderr and -v=N (registered by the logging package's glog
	// dependency) and --tracing before the positional engine address.
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted and passed on to node)")
	runtimeName := flag.String("runtime", "nodejs", "only `nodejs` is supported")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)
	if *runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime %q: this language host only runs nodejs", *runtimeName))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cancelServe := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelServe)
	}()

	// Exit when the engine goes away, so that an aborted CLI never leaves us behind.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
		}
	}

	host := &languageHost{engineAddress: engineAddress, tracing: *tracing, running: map[*exec.Cmd]struct{}{}}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServe,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads our port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	running       map[*exec.Cmd]struct{}
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages lists the resource plugins that installed npm packages declare with
// `"pulumi": {"resource": true}` in their package.json (e.g. @pulumi/random). Dynamic
// providers need none: their plugin (pulumi-nodejs) is bundled with the CLI.
func (h *languageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	var pkgs []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	for d := dir; ; d = filepath.Dir(d) {
		collectPulumiPackages(filepath.Join(d, "node_modules"), seen, &pkgs, 0)
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil || filepath.Dir(d) == d {
			break
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// collectPulumiPackages scans one node_modules directory (scoped packages and nested
// node_modules included, symlinks followed once) for packages that declare a plugin.
func collectPulumiPackages(nodeModules string, seen map[string]bool, out *[]*pulumirpc.PackageDependency, depth int) {
	real, err := filepath.EvalSymlinks(nodeModules)
	if err != nil || seen[real] || depth > 8 {
		return
	}
	seen[real] = true
	entries, err := os.ReadDir(real)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		pkgDirs := []string{filepath.Join(real, name)}
		if strings.HasPrefix(name, "@") {
			pkgDirs = nil
			scoped, _ := os.ReadDir(filepath.Join(real, name))
			for _, s := range scoped {
				pkgDirs = append(pkgDirs, filepath.Join(real, name, s.Name()))
			}
		}
		for _, pkgDir := range pkgDirs {
			if b, err := os.ReadFile(filepath.Join(pkgDir, "package.json")); err == nil {
				var info packageJSON
				if json.Unmarshal(b, &info) == nil && info.Pulumi.Resource {
					if dep := pluginDependency(info); dep != nil {
						*out = append(*out, dep)
					}
				}
			}
			collectPulumiPackages(filepath.Join(pkgDir, "node_modules"), seen, out, depth+1)
		}
	}
}

func pluginDependency(info packageJSON) *pulumirpc.PackageDependency {
	name := info.Pulumi.Name
	if name == "" && strings.HasPrefix(info.Name, "@pulumi/") {
		name = strings.TrimPrefix(info.Name, "@pulumi/")
	}
	if name == "" {
		fmt.Fprintf(os.Stderr, "warning: package %s declares a Pulumi resource plugin without pulumi.name; ignored\n",
			info.Name)
		return nil
	}
	v := info.Pulumi.Version
	if v == "" {
		v = info.Version
	}
	if v != "" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: info.Pulumi.Server}
}

type runOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func parseRunOptions(opts map[string]any) (runOptions, error) {
	o := runOptions{typescript: true}
	if v, ok := opts["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return o, errors.New("runtime option 'typescript' must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := opts["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return o, errors.New("runtime option 'tsconfig' must be a string")
		}
		o.tsconfigPath = s
	}
	if v, ok := opts["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return o, errors.New("runtime option 'nodeargs' must be a string")
		}
		// Whitespace-separated; quoting is not supported by this minimal host.
		o.nodeArgs = strings.Fields(s)
	}
	if v, ok := opts["packagemanager"]; ok {
		if _, isString := v.(string); !isString {
			return o, errors.New("runtime option 'packagemanager' must be a string")
		}
	}
	return o, nil
}

// resolveRunScript finds @pulumi/pulumi/cmd/run the way the program itself would.
func resolveRunScript(nodeBin, programDir string) (string, error) {
	mod := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if mod == "" {
		mod = "@pulumi/pulumi/cmd/run"
	}
	script := "try{console.log(require.resolve(process.argv[1]))}catch(e){" +
		"console.error(e.code==='MODULE_NOT_FOUND'?'It looks like the Pulumi SDK has not been installed: '+" +
		"'cannot resolve '+process.argv[1]+' from '+process.cwd()+'. Run npm install.':e.message);process.exit(1)}"
	cmd := exec.Command(nodeBin, "-e", script, mod)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, status.Error(codes.InvalidArgument, "RunRequest.info is required (pulumi CLI too old)")
	}
	programDir := info.GetProgramDirectory()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runScript, err := resolveRunScript(nodeBin, programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts, err := parseRunOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	h.mu.Lock()
	engineAddress := h.engineAddress
	h.mu.Unlock()

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runScript)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", engineAddress)
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize secret config keys: " + err.Error()}, nil
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigPath)
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = programDir
	cmd.Env = env
	// Interrupt first so the Node.js SDK can finish outstanding RPCs, kill after a grace period.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// Node may switch its stdio to non-blocking mode; wrapping the writers makes exec copy
	// through a pipe instead of handing our own file descriptors to the child.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	logging.V(5).Infof("pulumi-language-nodejs: running %s %s", nodeBin, strings.Join(args, " "))

	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{
			Error: "Problem executing program (could not run language executor): " + err.Error(),
		}, nil
	}
	h.mu.Lock()
	h.running[cmd] = struct{}{}
	h.mu.Unlock()
	err = cmd.Wait()
	h.mu.Lock()
	delete(h.running, cmd)
	h.mu.Unlock()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()

	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		switch code := ee.ExitCode(); code {
		case exitCodeAlreadyReported:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case -1:
			return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + ee.String()}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{Error: "Problem executing program: " + err.Error()}, nil
}

// Cancel interrupts running programs (the engine calls it on Ctrl-C).
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
	return &emptypb.Empty{}, nil
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	resp := &pulumirpc.AboutResponse{Metadata: map[string]string{"languageHost": "pulumi-auth0-permissions minimal"}}
	if nodeBin, err := exec.LookPath("node"); err == nil {
		resp.Executable = nodeBin
		if out, err := exec.Command(nodeBin, "--version").Output(); err == nil {
			resp.Version = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		}
	}
	return resp, nil
}

// GetProgramDependencies reports the installed @pulumi/pulumi (enough for `pulumi about`).
func (h *languageHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	dir := req.GetInfo().GetProgramDirectory()
	for d := dir; d != "" && filepath.Dir(d) != d; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "node_modules", "@pulumi", "pulumi", "package.json"))
		if err != nil {
			continue
		}
		var info packageJSON
		if json.Unmarshal(b, &info) == nil {
			resp.Dependencies = append(resp.Dependencies,
				&pulumirpc.DependencyInfo{Name: info.Name, Version: info.Version})
		}
		break
	}
	return resp, nil
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *languageHost) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return status.Error(codes.Unimplemented,
		"this minimal pulumi-language-nodejs does not install dependencies; run `npm install` in the project")
}
