package main

import (
	"strings"
	"time"
)

func (s *story) tellSaaS() {
	s.oktaIntrusion()
	s.oktaDay()
	s.githubDay()
	s.gcpDay()
}

// Okta System Log (https://developer.okta.com/docs/reference/api/system-log/).

type place struct {
	city, state, country, postal string
	lat, lon                     float64
}

var (
	dublin    = place{"Dublin", "Leinster", "Ireland", "D02", 53.3498, -6.2603}
	amsterdam = place{"Amsterdam", "North Holland", "Netherlands", "1012", 52.3740, 4.8897}
)

const (
	oktaMacUA  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
	oktaWinUA  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"
	verifyUA   = "OktaVerify/9.32.0 (iPhone; iOS 18.1; Scale/3.00)"
	sprayUA    = "python-requests/2.31.0"
	oktaOrgURL = "https://fernhill.okta.com"
)

type oktaClient struct {
	ip     string
	ua     string
	os     string
	brow   string
	device string
	where  place
}

func (p person) client(ip string) oktaClient {
	if p.mac {
		return oktaClient{ip, oktaMacUA, "Mac OS X", "CHROME", "Computer", dublin}
	}
	return oktaClient{ip, oktaWinUA, "Windows 10", "EDGE_CHROMIUM", "Computer", dublin}
}

var attackerBrowser = oktaClient{attackerIP, kaliFirefox, "Linux", "FIREFOX", "Computer", amsterdam}
var attackerScript = oktaClient{attackerIP, sprayUA, "Unknown", "UNKNOWN", "Unknown", amsterdam}

func userActor(p person) obj {
	return o("id", p.oktaID, "type", "User", "alternateId", p.email(), "displayName", p.name, "detailEntry", nil)
}

func userTarget(p person) obj {
	return o("id", p.oktaID, "type", "User", "alternateId", p.email(), "displayName", p.name, "detailEntry", nil)
}

var apps = []struct{ id, name, label string }{
	{"0oa7g2k1SLACK9x1d7", "slack", "Slack"},
	{"0oa7g2k1GOOGLE7x1d7", "google", "Google Workspace"},
	{"0oa7g2k1GITHUB3x1d7", "githubcloud", "GitHub Enterprise Cloud - Organization"},
	{"0oa7g2k1AWSSSO5x1d7", "amazon_aws_sso", "AWS IAM Identity Center"},
	{"0oa7g2k1JIRA2x1d7a", "atlassian", "Atlassian Cloud"},
	{"0oa7g2k1ZOOM8x1d7a", "zoomus", "Zoom"},
}

type oktaEv struct {
	t        time.Time
	typ      string
	legacy   string
	msg      string
	sev      string
	actor    obj
	c        oktaClient
	result   string
	reason   string
	targets  []any
	session  string
	debug    obj
	txType   string
	authStep int
}

func (s *story) oktaPut(e oktaEv) {
	if e.sev == "" {
		e.sev = "INFO"
	}
	if e.txType == "" {
		e.txType = "WEB"
	}
	tx := "Z" + s.chars(alnum, 26)
	client := o("userAgent", o("rawUserAgent", e.c.ua, "os", e.c.os, "browser", e.c.brow), "zone", "null",
		"device", e.c.device, "id", nil, "ipAddress", e.c.ip,
		"geographicalContext", o("city", e.c.where.city, "state", e.c.where.state, "country", e.c.where.country,
			"postalCode", e.c.where.postal, "geolocation", o("lat", e.c.where.lat, "lon", e.c.where.lon)))
	debug := o("requestId", tx, "requestUri", "/idp/idx/identify", "url", "/idp/idx/identify?")
	debug = append(debug, e.debug...)
	asOrg, isp, dom := "example broadband", "Example Broadband", "example-broadband.ie"
	switch e.c.ip {
	case officeIP:
		asOrg, isp, dom = "example business fibre", "Example Business Fibre", "example-fibre.ie"
	case attackerIP:
		asOrg, isp, dom = "example hosting b.v.", "Example Hosting", "example-hosting.nl"
	}
	reason := any(nil)
	if e.reason != "" {
		reason = e.reason
	}
	ev := o("actor", e.actor, "client", client, "device", nil,
		"authenticationContext", o("authenticationProvider", nil, "credentialProvider", nil, "credentialType", nil, "issuer", nil,
			"interface", nil, "authenticationStep", e.authStep, "rootSessionId", e.session, "externalSessionId", e.session),
		"displayMessage", e.msg, "eventType", e.typ, "outcome", o("result", e.result, "reason", reason),
		"published", tsMs(e.t),
		"securityContext", o("asNumber", 64496, "asOrg", asOrg, "isp", isp, "domain", dom, "isProxy", false),
		"severity", e.sev, "debugContext", o("debugData", debug))
	if e.legacy != "" {
		ev = ev.with("legacyEventType", e.legacy)
	}
	ev = ev.with("transaction", o("type", e.txType, "id", tx, "detail", o()), "uuid", s.uuid(), "version", "0",
		"request", o("ipChain", list(o("ip", e.c.ip, "geographicalContext", o("city", e.c.where.city, "state", e.c.where.state,
			"country", e.c.where.country, "postalCode", e.c.where.postal, "geolocation", o("lat", e.c.where.lat, "lon", e.c.where.lon)),
			"version", "V4", "source", nil))))
	if e.targets != nil {
		ev = ev.with("target", e.targets)
	} else {
		ev = ev.with("target", nil)
	}
	s.okta = append(s.okta, rec{t: e.t, j: ev})
}

func verifyTarget(p person) obj {
	return o("id", "pfd"+s4(p.oktaID), "type", "AuthenticatorEnrollment", "alternateId", "unknown", "displayName", "Okta Verify", "detailEntry", nil)
}

func s4(id string) string { return strings.ToLower(id[3:12]) + "EnrOV" }

func appTargets(p person, app int) []any {
	a := apps[app]
	return list(o("id", a.id, "type", "AppInstance", "alternateId", a.label, "displayName", a.label, "detailEntry", o("signOnModeType", "SAML_2_0")),
		o("id", "0ua"+s4(p.oktaID)+a.name[:2], "type", "AppUser", "alternateId", p.email(), "displayName", p.name, "detailEntry", nil))
}

// signIn is a whole interactive sign-in: password, Okta Verify push, SSO.
func (s *story) signIn(p person, c oktaClient, t time.Time, ssoApps []int) string {
	sess := "102" + s.chars(alnum, 22)
	s.oktaPut(oktaEv{t: t, typ: "user.authentication.verify", msg: "Verify user identity", actor: userActor(p), c: c, result: "SUCCESS",
		session: sess, targets: list(userTarget(p), o("id", "lae"+s4(p.oktaID), "type", "AuthenticatorEnrollment", "alternateId", "unknown", "displayName", "Password", "detailEntry", nil))})
	t = t.Add(time.Duration(2+s.intn(3)) * time.Second)
	s.oktaPut(oktaEv{t: t, typ: "system.push.send_factor_verify_push", msg: "A verification push was sent to the user's device", actor: userActor(p), c: c,
		result: "SUCCESS", session: sess, targets: list(userTarget(p), verifyTarget(p))})
	t = t.Add(time.Duration(5+s.intn(15)) * time.Second)
	s.oktaPut(oktaEv{t: t, typ: "user.authentication.auth_via_mfa", msg: "Authentication of user via MFA", actor: userActor(p), c: c,
		result: "SUCCESS", session: sess, authStep: 0, targets: list(userTarget(p), verifyTarget(p)), debug: o("factor", "OKTA_VERIFY_PUSH", "factorIntent", "AUTHENTICATION")})
	t = t.Add(time.Second)
	s.oktaPut(oktaEv{t: t, typ: "user.session.start", legacy: "core.user_auth.login_success", msg: "User login to Okta", actor: userActor(p), c: c,
		result: "SUCCESS", session: sess})
	for _, a := range ssoApps {
		t = t.Add(time.Duration(3+s.intn(40)) * time.Second)
		s.oktaPut(oktaEv{t: t, typ: "user.authentication.sso", legacy: "app.auth.sso", msg: "User single sign on to app", actor: userActor(p), c: c,
			result: "SUCCESS", session: sess, targets: appTargets(p, a), debug: o("initiationType", "IDP_INITIATED")})
	}
	return sess
}

func (s *story) oktaDay() {
	// Everyone signs in between 08:00 and 09:30 (from the office or from
	// home), then opens apps during the day.
	for i, p := range people {
		if p.login == "bob.kim" {
			continue // bob is on leave until 10:00; see oktaIntrusion
		}
		ip := officeIP
		if i%3 == 1 {
			ip = p.home
		}
		c := p.client(ip)
		t := s.between(dayStart.Add(3*time.Minute), at(9, 25, 0))
		if s.chance(0.25) {
			// A typo first: one failure, then the right password.
			s.oktaPut(oktaEv{t: t.Add(-40 * time.Second), typ: "user.session.start", legacy: "core.user_auth.login_failed", msg: "User login to Okta",
				sev: "WARN", actor: userActor(p), c: c, result: "FAILURE", reason: "INVALID_CREDENTIALS"})
		}
		appsOf := []int{0, 1}
		if p.github != "" {
			appsOf = append(appsOf, 2)
		}
		if p.awsSet != "" {
			appsOf = append(appsOf, 3)
		}
		sess := s.signIn(p, c, t, appsOf)
		s.every(t.Add(30*time.Minute), dayEnd, time.Duration(35+s.intn(40))*time.Minute, func(u time.Time) {
			a := []int{0, 1, 4, 5}[s.intn(4)]
			s.oktaPut(oktaEv{t: u, typ: "user.authentication.sso", legacy: "app.auth.sso", msg: "User single sign on to app", actor: userActor(p), c: c,
				result: "SUCCESS", session: sess, targets: appTargets(p, a), debug: o("initiationType", "SP_INITIATED")})
		})
	}
	// bob, back at 10:02, signs in from home — and reports the sign-in
	// notification of 09:42 that was not him.
	bob := personNamed("bob.kim")
	s.signIn(bob, bob.client(bob.home), at(10, 2, 14), []int{0, 1, 2})
	s.oktaPut(oktaEv{t: at(10, 5, 31), typ: "user.account.report_suspicious_activity_by_enduser", msg: "User report suspicious activity",
		sev: "WARN", actor: userActor(bob), c: bob.client(bob.home), result: "SUCCESS", targets: list(userTarget(bob)),
		debug: o("suspiciousActivityEventId", "a5f2"+s.hex(12), "suspiciousActivityEventType", "system.email.new_device_notification.sent_message",
			"suspiciousActivityTimestamp", tsMs(bobAccepted.Add(3*time.Second)), "suspiciousActivityBrowser", "FIREFOX", "suspiciousActivityOs", "Linux",
			"suspiciousActivityClientIpAddress", attackerIP, "suspiciousActivityCity", "Amsterdam", "suspiciousActivityCountry", "Netherlands")})

	// frank locks himself out at 10:40; noah unlocks him.
	frank, noah := personNamed("frank.mueller"), personNamed("noah.fischer")
	t := at(10, 40, 12)
	for i := 0; i < 5; i++ {
		s.oktaPut(oktaEv{t: t, typ: "user.session.start", legacy: "core.user_auth.login_failed", msg: "User login to Okta", sev: "WARN",
			actor: userActor(frank), c: frank.client(officeIP), result: "FAILURE", reason: "INVALID_CREDENTIALS"})
		t = t.Add(time.Duration(15+s.intn(30)) * time.Second)
	}
	s.oktaPut(oktaEv{t: t, typ: "user.account.lock", legacy: "core.user_auth.account_locked", msg: "Max sign in attempts exceeded", sev: "WARN",
		actor: userActor(frank), c: frank.client(officeIP), result: "FAILURE", reason: "LOCKED_OUT"})
	s.oktaPut(oktaEv{t: at(10, 52, 40), typ: "user.account.unlock_by_admin", msg: "Unlock user account by admin",
		actor: userActor(noah), c: noah.client(officeIP), result: "SUCCESS", targets: list(userTarget(frank))})
	// A new hire is created and activated at 13:15.
	quinn := person{"quinn.taylor", "Quinn Taylor", "", "", "", "00u4f2a1TAYLRQ2x1d7", true}
	s.oktaPut(oktaEv{t: at(13, 15, 2), typ: "user.lifecycle.create", msg: "Create okta user", actor: userActor(noah), c: noah.client(officeIP),
		result: "SUCCESS", targets: list(userTarget(quinn))})
	s.oktaPut(oktaEv{t: at(13, 15, 9), typ: "user.lifecycle.activate", msg: "Activate Okta user", actor: userActor(noah), c: noah.client(officeIP),
		result: "SUCCESS", targets: list(userTarget(quinn))})
	s.oktaPut(oktaEv{t: at(13, 15, 40), typ: "group.user_membership.add", msg: "Add user to group membership", actor: userActor(noah), c: noah.client(officeIP),
		result: "SUCCESS", targets: list(userTarget(quinn), o("id", "00g5a1SALES7x1d7", "type", "UserGroup", "alternateId", "unknown", "displayName", "Sales", "detailEntry", nil))})
}

// bobAccepted is when bob accepted the intruder's push (set by
// oktaIntrusion, which runs before oktaDay, where bob reports it).
var bobAccepted time.Time

func (s *story) oktaIntrusion() {
	// 09:31 one password against every login the git history named,
	// and a few guesses.
	guesses := []string{"admin", "it", "support", "finance", "hr"}
	bob := personNamed("bob.kim")
	t := at(9, 31, 5)
	var pushes func()
	for _, p := range people {
		t = t.Add(time.Duration(12+s.intn(10)) * time.Second)
		if p.login == bob.login {
			// The password works: Okta Verify asks bob, who says no three
			// times and yes the fourth.
			bt := t
			sess := "102" + s.chars(alnum, 22)
			pushes = func() {
				s.oktaPut(oktaEv{t: bt, typ: "user.authentication.verify", msg: "Verify user identity", actor: userActor(bob), c: attackerBrowser,
					result: "SUCCESS", session: sess, targets: list(userTarget(bob))})
				for i, gap := range []int{38, 71, 96, 268} {
					bt = bt.Add(time.Duration(gap) * time.Second)
					s.oktaPut(oktaEv{t: bt, typ: "system.push.send_factor_verify_push", msg: "A verification push was sent to the user's device",
						actor: userActor(bob), c: attackerBrowser, result: "SUCCESS", session: sess, targets: list(userTarget(bob), verifyTarget(bob))})
					if i < 3 {
						s.oktaPut(oktaEv{t: bt.Add(time.Duration(20+s.intn(25)) * time.Second), typ: "user.mfa.okta_verify.deny_push",
							msg: "User rejected Okta push verify", sev: "WARN", actor: userActor(bob), c: attackerBrowser,
							result: "FAILURE", reason: "User rejected Okta push verify", session: sess, targets: list(userTarget(bob), verifyTarget(bob))})
					}
				}
				// The fourth push is accepted.
				bt = bt.Add(17 * time.Second)
				bobAccepted = bt
				s.oktaPut(oktaEv{t: bt, typ: "user.authentication.auth_via_mfa", msg: "Authentication of user via MFA", actor: userActor(bob), c: attackerBrowser,
					result: "SUCCESS", session: sess, targets: list(userTarget(bob), verifyTarget(bob)), debug: o("factor", "OKTA_VERIFY_PUSH", "factorIntent", "AUTHENTICATION")})
				s.oktaPut(oktaEv{t: bt.Add(2 * time.Second), typ: "user.session.start", legacy: "core.user_auth.login_success", msg: "User login to Okta",
					actor: userActor(bob), c: attackerBrowser, result: "SUCCESS", session: sess})
				s.oktaPut(oktaEv{t: bt.Add(3 * time.Second), typ: "system.email.new_device_notification.sent_message", msg: "Send user new device notification email",
					actor: userActor(bob), c: attackerBrowser, result: "SUCCESS", session: sess, targets: list(userTarget(bob))})
				for i, a := range []int{2, 1} {
					s.oktaPut(oktaEv{t: bt.Add(time.Duration(70+i*95) * time.Second), typ: "user.authentication.sso", legacy: "app.auth.sso",
						msg: "User single sign on to app", actor: userActor(bob), c: attackerBrowser, result: "SUCCESS", session: sess,
						targets: appTargets(bob, a), debug: o("initiationType", "SP_INITIATED")})
				}
			}
			continue
		}
		s.oktaPut(oktaEv{t: t, typ: "user.session.start", legacy: "core.user_auth.login_failed", msg: "User login to Okta", sev: "WARN",
			actor: userActor(p), c: attackerScript, result: "FAILURE", reason: "INVALID_CREDENTIALS", txType: "WEB"})
	}
	for _, g := range guesses {
		t = t.Add(time.Duration(12+s.intn(10)) * time.Second)
		s.oktaPut(oktaEv{t: t, typ: "user.session.start", legacy: "core.user_auth.login_failed", msg: "User login to Okta", sev: "WARN",
			actor: o("id", "unknown", "type", "User", "alternateId", g+"@"+domain, "displayName", "unknown", "detailEntry", nil),
			c:     attackerScript, result: "FAILURE", reason: "INVALID_CREDENTIALS"})
	}
	pushes()

	// 12:50 noah ends bob's sessions and resets his password.
	noah := personNamed("noah.fischer")
	s.oktaPut(oktaEv{t: at(12, 50, 4), typ: "user.session.clear", msg: "Clear user session", actor: userActor(noah), c: noah.client(officeIP),
		result: "SUCCESS", targets: list(userTarget(bob))})
	s.oktaPut(oktaEv{t: at(12, 50, 31), typ: "user.account.reset_password", msg: "Fired when the user's Okta password is reset", actor: userActor(noah), c: noah.client(officeIP),
		result: "SUCCESS", targets: list(userTarget(bob))})
}

// GitHub organization audit log, as streamed (@timestamp and created_at
// in epoch milliseconds).

var repos = []string{"webapp", "api-gateway", "infra-ansible", "infra-terraform", "billing-service", "customer-exports",
	"mobile-app", "design-system", "docs-site", "data-pipelines", "etl-jobs", "ml-forecasting", "auth-service",
	"notification-service", "search-indexer", "admin-portal", "status-page", "load-tests", "security-policies",
	"onboarding-scripts", "helm-charts", "observability", "feature-flags", "payments-adapter", "reporting-service",
	"legacy-monolith", "sdk-python", "sdk-node"}

func (s *story) gh(t time.Time, action, actor string, actorID int, ip, cc string, extra ...any) {
	ms := t.UnixMilli()
	ev := o("@timestamp", ms, "_document_id", s.chars(alnum, 22), "action", action, "actor", actor, "actor_id", actorID)
	if ip != "" {
		ev = ev.with("actor_ip", ip, "actor_location", o("country_code", cc))
	}
	if strings.HasSuffix(actor, "[bot]") {
		ev = ev.with("actor_is_bot", true)
	}
	ev = ev.with("created_at", ms, "operation_type", opType(action), "org", ghOrg, "org_id", ghOrgID)
	ev = append(ev, o(extra...)...)
	ev = ev.with("request_id", sprintf("%s:%s:%s:%s:%s", s.chars("0123456789ABCDEF", 4), s.chars("0123456789ABCDEF", 5), s.chars("0123456789ABCDEF", 7), s.chars("0123456789ABCDEF", 7), s.chars("0123456789ABCDEF", 8)))
	s.github = append(s.github, rec{t: t, j: ev})
}

func opType(action string) string {
	switch {
	case strings.HasSuffix(action, ".create"), strings.HasSuffix(action, ".grant"), strings.HasSuffix(action, "add_member"):
		return "create"
	case strings.HasPrefix(action, "git.clone"), strings.HasPrefix(action, "git.fetch"):
		return "access"
	case strings.HasSuffix(action, ".revoke"), strings.HasSuffix(action, ".destroy"):
		return "remove"
	}
	return "modify"
}

func ghID(login string) int {
	h := 0
	for _, c := range login {
		h = h*31 + int(c)
	}
	if h < 0 {
		h = -h
	}
	return 1000000 + h%9000000
}

func (s *story) githubDay() {
	devs := []person{}
	for _, p := range people {
		if p.github != "" && p.login != "bob.kim" {
			devs = append(devs, p)
		}
	}
	devRepos := []string{"webapp", "api-gateway", "billing-service", "auth-service", "infra-terraform", "design-system", "data-pipelines", "etl-jobs"}
	for _, p := range devs {
		ip := officeIP
		if p.login == "carol.diaz" || p.login == "ivy.chen" {
			ip = p.home
		}
		s.every(at(8, 20, 0).Add(time.Duration(s.intn(40))*time.Minute), dayEnd, time.Duration(25+s.intn(30))*time.Minute, func(t time.Time) {
			repo := ghOrg + "/" + devRepos[s.intn(len(devRepos))]
			switch s.intn(5) {
			case 0:
				s.gh(t, "git.fetch", p.github, ghID(p.github), ip, "IE", "repository", repo, "repository_public", false,
					"transport_protocol", 2, "transport_protocol_name", "ssh", "programmatic_access_type", "SSH key")
			case 1:
				s.gh(t, "pull_request.create", p.github, ghID(p.github), ip, "IE", "repo", repo, "public_repo", false,
					"pull_request_id", 2100000000+s.intn(99999999), "pull_request_title", s.pick("Fix pagination in exports list", "Bump dependencies", "Add retry to webhook sender", "Refactor session middleware", "Terraform: tag all volumes"),
					"user_agent", chromeMac)
			case 2:
				s.gh(t, "pull_request_review.submit", p.github, ghID(p.github), ip, "IE", "repo", repo, "public_repo", false,
					"review_id", 2400000000+s.intn(99999999), "user_agent", chromeMac)
			default:
				s.gh(t, "git.push", p.github, ghID(p.github), ip, "IE", "repository", repo, "repository_public", false,
					"transport_protocol", 2, "transport_protocol_name", "ssh", "programmatic_access_type", "SSH key")
			}
		})
	}
	// GitHub Actions checks out code for every workflow run.
	s.every(dayStart, dayEnd, 6*time.Minute, func(t time.Time) {
		repo := ghOrg + "/" + devRepos[s.intn(len(devRepos))]
		s.gh(t, "git.clone", "github-actions[bot]", 41898282, "192.0.2.2"+sprintf("%02d", s.intn(20)), "US", "repository", repo, "repository_public", false,
			"transport_protocol", 1, "transport_protocol_name", "http", "programmatic_access_type", "GitHub App server-to-server token", "user_agent", "git/2.47.0")
		s.gh(t.Add(time.Duration(60+s.intn(400))*time.Second), "workflows.completed_workflow_run", "github-actions[bot]", 41898282, "", "",
			"repo", repo, "workflow_run_id", 11800000000+s.intn(99999999), "conclusion", s.pick("success", "success", "success", "failure"), "event", s.pick("push", "pull_request"))
	})
	// A developer clones two repositories for a new task; a team grows.
	henry := personNamed("henry.park")
	for i, r := range []string{"search-indexer", "notification-service"} {
		s.gh(at(11, 2, 10).Add(time.Duration(i*47)*time.Second), "git.clone", henry.github, ghID(henry.github), officeIP, "IE", "repository", ghOrg+"/"+r,
			"repository_public", false, "transport_protocol", 2, "transport_protocol_name", "ssh", "programmatic_access_type", "SSH key")
	}
	alice := personNamed("alice.nguyen")
	s.gh(at(11, 21, 3), "team.add_member", alice.github, ghID(alice.github), officeIP, "IE", "team", ghOrg+"/platform", "user", "liamosei", "user_agent", chromeMac)
	s.gh(at(13, 34, 40), "repo.create", henry.github, ghID(henry.github), officeIP, "IE", "repo", ghOrg+"/payments-sandbox", "visibility", "private", "public_repo", false, "user_agent", chromeMac)

	// 09:45 the intruder, signed in as bob, authorises a personal access
	// token for the org's SSO and clones 28 private repositories.
	bob := personNamed("bob.kim")
	s.gh(at(9, 45, 31), "org_credential_authorization.grant", bob.github, ghID(bob.github), attackerIP, "NL",
		"credential_type", "personal access token", "credential_id", 98817235, "user_agent", kaliFirefox)
	t := at(9, 46, 2)
	for _, r := range repos {
		t = t.Add(time.Duration(12+s.intn(40)) * time.Second)
		s.gh(t, "git.clone", bob.github, ghID(bob.github), attackerIP, "NL", "repository", ghOrg+"/"+r, "repository_public", false,
			"transport_protocol", 1, "transport_protocol_name", "http", "programmatic_access_type", "Personal access token (classic)",
			"hashed_token", "k3Q9v2Lw8ZrT1nB6yXc4pE0sHdJ7uMfA5gRiOqV2tY8=", "token_id", 98817235, "token_scopes", "repo,read:org", "user_agent", "git/2.45.2")
	}
	// 12:53 alice revokes the token.
	s.gh(at(12, 53, 12), "org_credential_authorization.revoke", alice.github, ghID(alice.github), officeIP, "IE",
		"user", bob.github, "credential_type", "personal access token", "credential_id", 98817235, "user_agent", chromeMac)
}

// GCP Cloud Audit Logs (LogEntry with an AuditLog protoPayload).

func (s *story) gcpEntry(t time.Time, kind string, principal, ip, ua, service, method, resourceName string, res obj, req, resp any, sev string, authz []any, extra ...any) {
	proto := o("@type", "type.googleapis.com/google.cloud.audit.AuditLog", "status", o(),
		"authenticationInfo", o("principalEmail", principal),
		"requestMetadata", o("callerIp", ip, "callerSuppliedUserAgent", ua,
			"requestAttributes", o("time", t.Format("2006-01-02T15:04:05.000000Z"), "auth", o()), "destinationAttributes", o()),
		"serviceName", service, "methodName", method, "authorizationInfo", authz, "resourceName", resourceName)
	proto = append(proto, o(extra...)...)
	if req != nil {
		proto = proto.with("request", req)
	}
	if resp != nil {
		proto = proto.with("response", resp)
	}
	e := o("protoPayload", proto, "insertId", s.chars("abcdefghijklmnopqrstuvwxyz0123456789", 12), "resource", res,
		"timestamp", t.Format("2006-01-02T15:04:05.000000Z"), "severity", sev,
		"logName", "projects/"+gcpProject+"/logs/cloudaudit.googleapis.com%2F"+kind,
		"receiveTimestamp", t.Add(time.Duration(300+s.intn(900))*time.Millisecond).Format("2006-01-02T15:04:05.000000000Z"))
	s.gcp = append(s.gcp, rec{t: t, j: e})
}

func gcpAuthz(resource, perm string) []any {
	return list(o("resource", resource, "permission", perm, "granted", true, "resourceAttributes", o()))
}

const (
	etlSA    = "etl-runner@" + gcpProject + ".iam.gserviceaccount.com"
	deploySA = "ci-deployer@" + gcpProject + ".iam.gserviceaccount.com"
	gcloudUA = "google-cloud-sdk gcloud/497.0.0 command/gcloud.%s invocation-id/%s environment/None environment-version/None client-os/%s client-os-ver/%s client-pltf-arch/%s interactive/True from-script/False python/3.12.7 term/xterm-256color"
)

func (s *story) gcpDay() {
	bq := o("type", "bigquery_project", "labels", o("project_id", gcpProject, "location", "EU"))
	// The ETL service account loads files every 10 minutes.
	s.every(dayStart, dayEnd, 10*time.Minute, func(t time.Time) {
		obj := sprintf("landing/orders/2026/11/10/orders-%s.parquet", t.Format("1504"))
		s.gcpEntry(t, "data_access", etlSA, "gce-internal-ip", "gcloud-golang-storage/1.43.0", "storage.googleapis.com", "storage.objects.create",
			"projects/_/buckets/fernhill-landing/objects/"+obj, o("type", "gcs_bucket", "labels", o("project_id", gcpProject, "bucket_name", "fernhill-landing", "location", "europe-west1")),
			nil, nil, "INFO", gcpAuthz("projects/_/buckets/fernhill-landing/objects/"+obj, "storage.objects.create"))
		s.gcpEntry(t.Add(40*time.Second), "data_access", etlSA, "gce-internal-ip", "gl-go/1.23.2 gdcl/0.203.0", "bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.InsertJob",
			"projects/"+gcpProject+"/jobs/etl_load_"+s.hex(12), bq,
			nil, nil, "INFO", gcpAuthz("projects/"+gcpProject, "bigquery.jobs.create"),
			"metadata", o("@type", "type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata", "jobInsertion", o("reason", "JOB_INSERT_REQUEST",
				"job", o("jobName", "projects/"+gcpProject+"/jobs/etl_load_"+s.hex(12), "jobConfig", o("type", "IMPORT")))))
	})
	// Analysts query; ivy starts a notebook VM and shares a dataset.
	for _, who := range []string{"erin.walsh", "ivy.chen"} {
		p := personNamed(who)
		s.every(at(8, 40, 0).Add(time.Duration(s.intn(30))*time.Minute), dayEnd, time.Duration(18+s.intn(12))*time.Minute, func(t time.Time) {
			s.gcpEntry(t, "data_access", p.email(), officeIP, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe)",
				"bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.InsertJob", "projects/"+gcpProject+"/jobs/bquxjob_"+s.hex(8)+"_"+s.hex(12), bq,
				nil, nil, "INFO", gcpAuthz("projects/"+gcpProject, "bigquery.jobs.create"),
				"metadata", o("@type", "type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata", "jobInsertion", o("reason", "JOB_INSERT_REQUEST",
					"job", o("jobName", "projects/"+gcpProject+"/jobs/bquxjob_"+s.hex(8), "jobConfig", o("type", "QUERY",
						"queryConfig", o("query", s.pick("SELECT region, SUM(amount) FROM sales.orders WHERE order_date = CURRENT_DATE() GROUP BY region",
							"SELECT COUNT(*) FROM sales.customers WHERE churned = FALSE",
							"SELECT plan, AVG(mrr) FROM finance.subscriptions GROUP BY plan")))))))
		})
	}
	ivy, erin := personNamed("ivy.chen"), personNamed("erin.walsh")
	zone := "europe-west1-b"
	vm := "projects/" + gcpProject + "/zones/" + zone + "/instances/notebook-ivy"
	s.gcpEntry(at(9, 2, 44), "activity", ivy.email(), ivy.home, sprintf(gcloudUA, "compute.instances.start", s.uuid(), "MACOSX", "23.6.0", "arm64"),
		"compute.googleapis.com", "v1.compute.instances.start", vm,
		o("type", "gce_instance", "labels", o("project_id", gcpProject, "zone", zone, "instance_id", "4471926350182736915")),
		o("@type", "type.googleapis.com/compute.instances.start"), o("@type", "type.googleapis.com/operation", "operationType", "start", "status", "RUNNING"),
		"NOTICE", gcpAuthz(vm, "compute.instances.start"))
	s.gcpEntry(at(11, 37, 15), "activity", ivy.email(), ivy.home, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe)",
		"cloudresourcemanager.googleapis.com", "SetIamPolicy", "projects/"+gcpProject,
		o("type", "project", "labels", o("project_id", gcpProject)),
		o("@type", "type.googleapis.com/google.iam.v1.SetIamPolicyRequest", "resource", gcpProject,
			"policy", o("bindings", list(o("role", "roles/bigquery.dataViewer", "members", list("user:"+erin.email()))))),
		o("@type", "type.googleapis.com/google.iam.v1.Policy", "etag", "BwYk"+s.chars(alnum, 8)),
		"NOTICE", gcpAuthz("projects/"+gcpProject, "resourcemanager.projects.setIamPolicy"),
		"serviceData", o("@type", "type.googleapis.com/google.iam.v1.logging.AuditData", "policyDelta", o("bindingDeltas",
			list(o("action", "ADD", "role", "roles/bigquery.dataViewer", "member", "user:"+erin.email())))))
	s.gcpEntry(at(13, 48, 2), "activity", ivy.email(), ivy.home, sprintf(gcloudUA, "compute.instances.stop", s.uuid(), "MACOSX", "23.6.0", "arm64"),
		"compute.googleapis.com", "v1.compute.instances.stop", vm,
		o("type", "gce_instance", "labels", o("project_id", gcpProject, "zone", zone, "instance_id", "4471926350182736915")),
		o("@type", "type.googleapis.com/compute.instances.stop"), o("@type", "type.googleapis.com/operation", "operationType", "stop", "status", "RUNNING"),
		"NOTICE", gcpAuthz(vm, "compute.instances.stop"))

	// 09:52 the intruder, as bob, looks at customer data and mints a key
	// for the CI service account.
	bob := personNamed("bob.kim")
	linuxUA := func(cmd string) string { return sprintf(gcloudUA, cmd, s.uuid(), "LINUX", "6.6.15-amd64", "x86_64") }
	for i, q := range []string{"SELECT * FROM sales.customers LIMIT 1000", "SELECT email, phone, plan FROM sales.customers"} {
		s.gcpEntry(at(9, 52, 40).Add(time.Duration(i*71)*time.Second), "data_access", bob.email(), attackerIP, linuxUA("bq.query"),
			"bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.InsertJob", "projects/"+gcpProject+"/jobs/bqjob_"+s.hex(16), bq,
			nil, nil, "INFO", gcpAuthz("projects/"+gcpProject, "bigquery.jobs.create"),
			"metadata", o("@type", "type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata", "jobInsertion", o("reason", "JOB_INSERT_REQUEST",
				"job", o("jobName", "projects/"+gcpProject+"/jobs/bqjob_"+s.hex(16), "jobConfig", o("type", "QUERY", "queryConfig", o("query", q))))))
	}
	keyID := s.hex(40)
	sa := o("type", "service_account", "labels", o("email_id", deploySA, "project_id", gcpProject, "unique_id", "104238716253451908712"))
	s.gcpEntry(at(9, 55, 12), "activity", bob.email(), attackerIP, linuxUA("iam.service-accounts.keys.create"),
		"iam.googleapis.com", "google.iam.admin.v1.CreateServiceAccountKey", "projects/-/serviceAccounts/104238716253451908712", sa,
		o("@type", "type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest", "name", "projects/-/serviceAccounts/"+deploySA, "private_key_type", 2),
		o("@type", "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey", "name", "projects/"+gcpProject+"/serviceAccounts/"+deploySA+"/keys/"+keyID,
			"valid_after_time", o("seconds", at(9, 55, 12).Unix()), "valid_before_time", o("seconds", 253402300799), "key_algorithm", 2, "key_origin", 2, "key_type", 1),
		"NOTICE", gcpAuthz("projects/-/serviceAccounts/104238716253451908712", "iam.serviceAccountKeys.create"))
	// 12:56 alice deletes it.
	alice := personNamed("alice.nguyen")
	s.gcpEntry(at(12, 56, 20), "activity", alice.email(), officeIP, sprintf(gcloudUA, "iam.service-accounts.keys.delete", s.uuid(), "MACOSX", "23.6.0", "arm64"),
		"iam.googleapis.com", "google.iam.admin.v1.DeleteServiceAccountKey", "projects/-/serviceAccounts/104238716253451908712/keys/"+keyID, sa,
		o("@type", "type.googleapis.com/google.iam.admin.v1.DeleteServiceAccountKeyRequest", "name", "projects/-/serviceAccounts/"+deploySA+"/keys/"+keyID), nil,
		"NOTICE", gcpAuthz("projects/-/serviceAccounts/104238716253451908712/keys/"+keyID, "iam.serviceAccountKeys.delete"))
}
