// The pod sandbox's first process: it holds the pod's namespaces open for as long as the pod
// lives. As PID 1 of the pod's PID namespace it also inherits every orphan there, so it reaps
// them (else they stay zombies), and it ends cleanly (exit 0) when the runtime stops the pod.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Buffered: SIGCHLDs arriving while we reap are coalesced, not lost (reapAll takes all).
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	// Children that ended before Notify sent no signal we could see.
	reapAll()
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			reapAll()
			continue
		}
		os.Exit(0)
	}
}

// reapAll collects every child that has ended, without waiting for those still running.
func reapAll() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
	}
}
