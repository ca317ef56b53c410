package main

import "time"

// nginx on web-1 logs the distributions' "main" format (combined plus
// "$http_x_forwarded_for"); Apache on docs-1 the combined format.

var browsers = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.86 Mobile Safari/537.36",
}

func (s *story) access(t time.Time, ip, user, method, uri string, status, bytes int, ref, ua string) {
	dash := func(v string) string {
		if v == "" {
			return "-"
		}
		return v
	}
	s.nginx = append(s.nginx, rec{t: t, line: sprintf(`%s - %s [%s] "%s %s HTTP/1.1" %d %d "%s" "%s" "-"`,
		ip, dash(user), t.Format("02/Jan/2006:15:04:05 -0700"), method, uri, status, bytes, dash(ref), dash(ua))})
}

func (s *story) tellWeb() {
	// Visitors: a page and its assets; customers of the app sign in and
	// download their exports.
	s.every(dayStart, dayEnd, 30*time.Second, func(t time.Time) {
		ip := s.internet()
		ua := browsers[s.intn(len(browsers))]
		if s.chance(0.5) {
			page := s.pick("/", "/pricing", "/about", "/blog/2026/11/exports-now-faster", "/security", "/customers")
			s.access(t, ip, "", "GET", page, 200, 9000+s.intn(30000), s.pick("", "https://www.google.com/", "https://duckduckgo.com/"), ua)
			for i, a := range []string{"/static/css/site.4b1e9c.css", "/static/js/site.a73f02.js", "/static/img/logo.svg"} {
				st, n := 200, 3000+s.intn(80000)
				if s.chance(0.3) {
					st, n = 304, 0
				}
				s.access(t.Add(time.Duration(150+i*60)*time.Millisecond), ip, "", "GET", a, st, n, "https://www.fernhill.io"+page, ua)
			}
			return
		}
		s.access(t, ip, "", "GET", "/app/", 200, 4200, "", ua)
		st := 200
		if s.chance(0.06) {
			st = 401 // a mistyped password
			s.access(t.Add(900*time.Millisecond), ip, "", "POST", "/api/v1/session", st, 61, "https://app.fernhill.io/app/", ua)
			t = t.Add(12 * time.Second)
		}
		s.access(t.Add(1500*time.Millisecond), ip, "", "POST", "/api/v1/session", 200, 388, "https://app.fernhill.io/app/", ua)
		s.access(t.Add(2100*time.Millisecond), ip, "", "GET", "/api/v1/exports?page=1", 200, 2300+s.intn(4000), "https://app.fernhill.io/app/", ua)
		if s.chance(0.5) {
			s.access(t.Add(9*time.Second), ip, "", "GET", sprintf("/api/v1/exports/%d/download", 48000+s.intn(2000)), 302, 0, "https://app.fernhill.io/app/exports", ua)
		}
	})
	// Bots of the internet: crawlers and the odd WordPress prober.
	s.every(dayStart, dayEnd, 11*time.Minute, func(t time.Time) {
		switch s.intn(3) {
		case 0:
			s.access(t, s.internet(), "", "GET", "/robots.txt", 200, 68, "", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
		case 1:
			s.access(t, s.internet(), "", "GET", "/sitemap.xml", 200, 1840, "", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
		default:
			ip := s.internet()
			for i, p := range []string{"/wp-login.php", "/xmlrpc.php", "/wp-admin/"} {
				s.access(t.Add(time.Duration(i)*time.Second), ip, "", "GET", p, 404, 153, "", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36")
			}
		}
	})
	s.webScan()
	s.docsSite()
}

// webScan: Nikto from 203.0.113.66 against www (HTTPS) and port 80,
// 09:12-09:24, then a look at what it found.
func (s *story) webScan() {
	found := map[string][2]int{ // served by mistake: the web root holds the deploy's .git
		"/.git/config": {200, 292}, "/.git/HEAD": {200, 23},
		"/server-status": {403, 153}, "/.htaccess": {403, 153}, "/.htpasswd": {403, 153},
		"/": {200, 18734}, "/robots.txt": {200, 68}, "/favicon.ico": {200, 1150},
	}
	paths := []string{"/", "/robots.txt", "/favicon.ico", "/admin/", "/administrator/", "/phpmyadmin/", "/pma/", "/mysql/",
		"/.git/config", "/.git/HEAD", "/.env", "/.env.bak", "/.htaccess", "/.htpasswd", "/.svn/entries", "/.DS_Store",
		"/backup.zip", "/backup.tar.gz", "/db.sql", "/dump.sql", "/config.php.bak", "/wp-config.php.bak", "/web.config",
		"/server-status", "/server-info", "/phpinfo.php", "/info.php", "/test.php", "/cgi-bin/", "/cgi-bin/test-cgi",
		"/cgi-bin/printenv", "/manager/html", "/jmx-console/", "/console/", "/actuator/env", "/api/swagger.json",
		"/wp-login.php", "/wp-admin/", "/xmlrpc.php", "/joomla/", "/drupal/", "/magento/", "/shop/", "/old/", "/new/",
		"/test/", "/tmp/", "/logs/", "/uploads/", "/images/", "/include/", "/includes/", "/lib/", "/scripts/", "/src/",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/solr/admin/", "/jenkins/", "/.aws/credentials",
		"/id_rsa", "/.ssh/id_rsa", "/.bash_history", "/.npmrc", "/.dockerenv", "/docker-compose.yml", "/.gitlab-ci.yml",
		"/sftp-config.json", "/.vscode/sftp.json", "/config.json", "/config.yml", "/settings.py", "/local.xml",
	}
	attacks := []struct {
		method, uri, ua string
		status, n       int
	}{
		{"GET", "/static/../../../../../../etc/passwd", "", 400, 157},
		{"GET", "/download?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd", "", 404, 153},
		{"GET", "/api/v1/exports?page=1%27%20OR%20%271%27%3D%271", "", 500, 177},
		{"GET", "/api/v1/exports?page=1%20UNION%20SELECT%20NULL%2CNULL%2Cversion()--", "", 500, 177},
		{"GET", "/api/v1/exports?page=1%3BSELECT%20pg_sleep(5)--", "", 500, 177},
		{"GET", "/cgi-bin/test-cgi", shellshockUA, 404, 153},
		{"GET", "/cgi-bin/printenv", shellshockUA, 404, 153},
		{"GET", "/", log4shellUA, 200, 18734},
		{"GET", "/search?q=%3Bcat%20%2Fetc%2Fpasswd", "", 404, 153},
		{"GET", "/index.php?cmd=id", "", 404, 153},
	}
	t := at(9, 12, 3)
	test := 1000
	ua := func() string {
		test++
		return sprintf(niktoUA, sprintf("%06d", test))
	}
	for round := 0; round < 4; round++ {
		for _, p := range paths {
			t = t.Add(time.Duration(350+s.intn(1500)) * time.Millisecond)
			st, n := 404, 153
			if f, ok := found[p]; ok {
				st, n = f[0], f[1]
			}
			s.access(t, attackerIP, "", "GET", p, st, n, "", ua())
		}
		for _, a := range attacks {
			t = t.Add(time.Duration(350+s.intn(1500)) * time.Millisecond)
			u := a.ua
			if u == "" {
				u = ua()
			}
			s.access(t, attackerIP, "", a.method, a.uri, a.status, a.n, "", u)
		}
	}
	// Port 80 answers everything with a redirect.
	for t := at(9, 12, 5); t.Before(at(9, 14, 40)); t = t.Add(time.Duration(2000+s.intn(1500)) * time.Millisecond) {
		s.access(t, attackerIP, "", "GET", paths[s.intn(len(paths))], 301, 162, "", ua())
	}
	// 09:26 the intruder reads the .git it found: remotes and committers.
	for i, p := range []string{"/.git/config", "/.git/logs/HEAD", "/.git/index", "/.git/packed-refs"} {
		s.access(at(9, 26, 14).Add(time.Duration(i*3)*time.Second), attackerIP, "", "GET", p, 200, []int{292, 48113, 21904, 1207}[i], "", "curl/8.8.0")
	}
	// 10:32 nmap's scripts from the bastion, on port 80.
	for i, p := range []string{"/", "/robots.txt", "/.git/HEAD", "/nmaplowercheck1731234567", "/HNAP1", "/evox/about", "/sdk"} {
		s.access(at(10, 32, 1).Add(time.Duration(i*400)*time.Millisecond), bastion.ip, "", "GET", p, 301, 162, "", nmapUA)
	}
}

// docsSite: Apache on docs-1 serves the product documentation.
func (s *story) docsSite() {
	pages := []string{"/", "/getting-started/", "/exports/", "/exports/formats/", "/api/", "/api/authentication/", "/changelog/"}
	s.every(dayStart, dayEnd, 75*time.Second, func(t time.Time) {
		ip := s.internet()
		ua := browsers[s.intn(len(browsers))]
		p := pages[s.intn(len(pages))]
		ref := s.pick("-", "https://www.fernhill.io/", "https://www.google.com/")
		line := func(t time.Time, uri string, st, n int, ref string) {
			size := sprintf("%d", n)
			if n == 0 {
				size = "-"
			}
			s.apache = append(s.apache, rec{t: t, line: sprintf(`%s - - [%s] "GET %s HTTP/1.1" %d %s "%s" "%s"`,
				ip, t.Format("02/Jan/2006:15:04:05 -0700"), uri, st, size, ref, ua)})
		}
		line(t, p, 200, 6000+s.intn(20000), ref)
		if s.chance(0.6) {
			line(t.Add(200*time.Millisecond), "/assets/docs.css", 304, 0, "https://docs.fernhill.io"+p)
		}
	})
}
