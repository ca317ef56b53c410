// Command panther is the detection-as-code toolkit; see the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"panther/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := &cmd.App{IO: cmd.SystemIO(), Now: time.Now, Getenv: os.Getenv}
	code := cmd.Execute(ctx, app, os.Args[1:])
	stop()
	os.Exit(code)
}
