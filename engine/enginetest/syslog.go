package enginetest

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
)

// AuthLog writes gzip-compressed auth.log files (RFC 3164 lines as rsyslog
// writes them, ISO timestamps) with the mix of a busy Linux fleet: sshd
// logins by key and password, failures, invalid users from scanners, sudo,
// cron sessions and systemd-logind. About lines lines in files of 100k.
func AuthLog(dir string, lines int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	hosts := []string{"web1", "web2", "db1", "bastion", "build-3", "cache1"}
	users := []string{"deploy", "alice", "bob", "carol", "backup", "ansible"}
	bad := []string{"admin", "test", "oracle", "ubuntu", "pi", "git", "postgres", "user"}
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for f := 0; f*100000 < lines; f++ {
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf("auth.log.%03d.gz", f)))
		if err != nil {
			return err
		}
		zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
		w := bufio.NewWriterSize(zw, 256<<10)
		for i := 0; i < 100000 && f*100000+i < lines; i++ {
			t = t.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
			host := hosts[rng.IntN(len(hosts))]
			pid := 1000 + rng.IntN(60000)
			ts := t.Format("2006-01-02T15:04:05.000000-07:00")
			ip := fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(222), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
			switch n := rng.IntN(100); {
			case n < 25:
				fmt.Fprintf(w, "%s %s sshd[%d]: Accepted publickey for %s from 10.0.%d.%d port %d ssh2: ED25519 SHA256:%016x\n", ts, host, pid, users[rng.IntN(len(users))], rng.IntN(4), 1+rng.IntN(250), 30000+rng.IntN(30000), rng.Uint64())
			case n < 40:
				fmt.Fprintf(w, "%s %s sshd[%d]: Invalid user %s from %s port %d\n", ts, host, pid, bad[rng.IntN(len(bad))], ip, 30000+rng.IntN(30000))
			case n < 55:
				fmt.Fprintf(w, "%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2\n", ts, host, pid, bad[rng.IntN(len(bad))], ip, 30000+rng.IntN(30000))
			case n < 60:
				fmt.Fprintf(w, "%s %s sshd[%d]: Failed password for %s from %s port %d ssh2\n", ts, host, pid, users[rng.IntN(len(users))], ip, 30000+rng.IntN(30000))
			case n < 70:
				fmt.Fprintf(w, "%s %s sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)\n", ts, host, pid, users[rng.IntN(len(users))], 1000+rng.IntN(10))
			case n < 78:
				fmt.Fprintf(w, "%s %s sudo: %8s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n", ts, host, users[rng.IntN(len(users))], rng.IntN(5), users[rng.IntN(len(users))])
			case n < 90:
				fmt.Fprintf(w, "%s %s CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", ts, host, pid)
			default:
				fmt.Fprintf(w, "%s %s systemd-logind[%d]: New session %d of user %s.\n", ts, host, 400+rng.IntN(100), rng.IntN(99999), users[rng.IntN(len(users))])
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		zw.Close()
		out.Close()
	}
	return nil
}
