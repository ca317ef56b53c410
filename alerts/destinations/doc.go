// Package destinations sends alerts of the store (package alerts) to the
// places people watch: a signed JSON webhook, a Slack incoming webhook,
// Microsoft Teams, PagerDuty Events v2, and email over SMTP with
// STARTTLS.
//
// Routing is decided by the store when an alert is created, reopened or
// escalated: the detection's destinations(), else the alert rules', else
// the defaults per severity of the configuration (Config.Defaults). The
// store writes one pending delivery per destination in the same
// transaction as the alert; the Dispatcher's workers — a few per
// destination, so a slow one never delays another, and never ingest —
// claim due deliveries with a lease, send, and record each attempt on the
// alert (attempts, last status, last error). A failed attempt is retried
// with exponential backoff and jitter (Retry); a 4xx answer other than
// 408/425/429, a 5xx SMTP reply, or the last attempt makes the delivery
// dead: the dead-letter list, which the API and `panther alerts resend`
// queue again.
//
// A delivery answered 2xx is recorded as sent and never sent again. The
// one gap is a crash between the destination's answer and that record:
// the lease runs out and the delivery is sent a second time, with the same
// X-Panther-Delivery id (webhooks) or PagerDuty dedup key, so a receiver
// can tell.
//
// Webhook requests are signed: X-Panther-Signature = "v1=" +
// hex(HMAC-SHA256(secret, X-Panther-Timestamp + "." + body)); receivers
// check it and refuse old timestamps (VerifyWebhook), which defeats
// replays. Email uses the standard library's net/smtp (STARTTLS, PLAIN
// auth only over TLS), so no dependency is added for it.
package destinations
