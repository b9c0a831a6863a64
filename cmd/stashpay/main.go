package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// Exit codes. 1 means the check or the delivery failed (an invalid
// signature, an answer other than the one Stash expects, a network error);
// 2 means the command could not run as given (bad usage, a missing secret,
// an unreadable file).
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	programName = "stashpay"
)

// Environment variables the secrets are read from. Secrets are never
// accepted as flags: a flag value lands in shell history, in `ps` output
// and in CI logs.
const (
	envWebhookSecret = "STASH_WEBHOOK_SECRET"
	envEgressKey     = "STASH_EGRESS_KEY"
	envShopID        = "STASH_SHOP_ID"
)

// errFailed is returned by a command that has already reported its failure
// on stdout or stderr; it maps to exit code 1.
var errFailed = errors.New("failed")

// usageError is an error caused by how the command was invoked; it maps to
// exit code 2. An empty msg means the usage was already printed.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	// SIGTERM too: "stashpay sandbox" runs until stopped, by Ctrl-C or by a
	// process manager.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args (without the program name) reading
// secrets through env, and returns the process exit code. It reads stdin
// from os.Stdin; runStdin lets tests supply their own.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	return runStdin(ctx, args, env, os.Stdin, stdout, stderr)
}

// cli holds one invocation's I/O; commands are its methods.
type cli struct {
	env    func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// runStdin is run with an explicit stdin.
func runStdin(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{env: env, stdin: stdin, stdout: stdout, stderr: stderr}
	err := c.dispatch(ctx, args)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintf(stderr, "%s: %s\n", programName, ue.msg)
		}
		return exitUsage
	case errors.Is(err, errFailed):
		// The command already said what failed.
		return exitFailed
	default:
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
		return exitFailed
	}
}

const topUsage = `stashpay: a local helper for Stash Pay integrations.

Usage:
  stashpay webhook sign   [-secret-env NAME] [file|-]
  stashpay webhook verify -signature SIG [-secret-env NAME] [file|-]
  stashpay webhook send   [-url URL] [-type TYPE] [-file payload.json] [-user ID] [-item ID] [-times N]
  stashpay webhook sample [-type TYPE] [-user ID] [-item ID]
  stashpay egress send    [-url URL] [-kind confirm|register|cancel|catalog|offer|player] [-shop-id ID] [-file body.json] [-user ID] [-item ID] [-transaction ID] [-guid ID] [-region CC] [-language LL]
  stashpay egress sample  [-kind confirm|register|cancel] [-shop-id ID] [-user ID] [-item ID] [-transaction ID]
  stashpay sandbox        [-port N] [-webhook-url URL] [-game-backend-url URL] [-shop-id ID] [fault flags]
  stashpay version

Secrets come only from the environment (STASH_WEBHOOK_SECRET, STASH_EGRESS_KEY;
STASH_SHOP_ID for the shop ID), never from flags, which end up in shell history.
Run "stashpay <command> <subcommand> -h" for the flags of a command.
`

// groupUsage is the part of topUsage about one command group.
func groupUsage(group string) string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for line := range strings.Lines(topUsage) {
		if strings.HasPrefix(line, "  "+programName+" "+group+" ") || strings.TrimSpace(line) == programName+" "+group {
			b.WriteString(line)
		}
	}
	b.WriteString("\nRun \"" + programName + " " + group + " <subcommand> -h\" for the flags of a subcommand.\n")
	return b.String()
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, topUsage)
		return usagef("")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, topUsage)
		return nil
	case "version", "-version", "--version":
		if len(args) == 2 && isHelp(args[1]) {
			fmt.Fprintf(c.stdout, "Usage: %s version\n\nPrints the version of the command and of the SDK it is built from.\n", programName)
			return nil
		}
		if len(args) > 1 {
			return usagef("version takes no arguments")
		}
		fmt.Fprintf(c.stdout, "stashpay %s (stashpay-go SDK, %s %s/%s)\n",
			stashpay.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "webhook":
		return c.sub(ctx, "webhook", args[1:], map[string]func(context.Context, []string) error{
			"sign": c.webhookSign, "verify": c.webhookVerify, "send": c.webhookSend, "sample": c.webhookSample,
		})
	case "egress":
		return c.sub(ctx, "egress", args[1:], map[string]func(context.Context, []string) error{
			"send": c.egressSend, "sample": c.egressSample,
		})
	case "sandbox":
		return c.sandbox(ctx, args[1:])
	}
	fmt.Fprint(c.stderr, topUsage)
	return usagef("unknown command %q", args[0])
}

func (c *cli) sub(ctx context.Context, group string, args []string, cmds map[string]func(context.Context, []string) error) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, groupUsage(group))
		return usagef("%s needs a subcommand", group)
	}
	if isHelp(args[0]) {
		fmt.Fprint(c.stdout, groupUsage(group))
		return nil
	}
	fn, ok := cmds[args[0]]
	if !ok {
		fmt.Fprint(c.stderr, groupUsage(group))
		return usagef("unknown command %q", group+" "+args[0])
	}
	return fn(ctx, args[1:])
}

// newFlagSet returns a flag set for "stashpay name" that reports errors
// instead of exiting, writing its usage to stderr.
func (c *cli) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(programName+" "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s %s %s\n\nFlags:\n", programName, name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs and allows at most maxArgs positional
// arguments. A parse error is a usage error (the flag package has already
// printed it and the usage); -h is flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("")
	}
	if fs.NArg() > maxArgs {
		fs.Usage()
		return usagef("too many arguments: %q", fs.Args())
	}
	return nil
}

// secret returns the value of the environment variable name, or a usage
// error that names the variable (never a value). The value must pass the
// SDK's one rule for secrets (no whitespace at either end, no control
// characters), so that the CLI never signs with a key the SDK's verifiers
// and handlers would refuse.
func (c *cli) secret(name, what string) (string, error) {
	if name == "" {
		return "", usagef("the -secret-env/-key-env flag names an environment variable and cannot be empty")
	}
	v := c.env(name)
	if v == "" {
		return "", usagef("environment variable %s is not set; export the %s there (it is never read from a flag, which would land in shell history)", name, what)
	}
	if err := signing.CheckSecret("environment variable "+name, v); err != nil {
		return "", usagef("%v", err)
	}
	return v, nil
}
