package suricata

import "panther/parsers"

// The sub-objects of EVE records, in Hive syntax. Free-form parts (headers,
// grouped answers, metadata) are json.
const (
	alertType = "struct<action:string,gid:bigint,signature_id:bigint,rev:bigint,signature:string," +
		"category:string,severity:bigint,tx_id:bigint,metadata:json,source:struct<ip:string,port:bigint>," +
		"target:struct<ip:string,port:bigint>,rule:string,references:array<string>>"
	flowType = "struct<pkts_toserver:bigint,pkts_toclient:bigint,bytes_toserver:bigint,bytes_toclient:bigint," +
		"start:timestamp,end:timestamp,age:bigint,state:string,reason:string,alerted:boolean,bypass:string," +
		"bypassed:json,action:string,src_ip:string,dest_ip:string,src_port:bigint,dest_port:bigint," +
		"wrong_thread:boolean,emergency:boolean,tx_cnt:bigint,exception_policy:json>"
	tcpType = "struct<tcp_flags:string,tcp_flags_ts:string,tcp_flags_tc:string,syn:boolean,fin:boolean," +
		"rst:boolean,psh:boolean,ack:boolean,urg:boolean,ecn:boolean,cwr:boolean,state:string>"
	dnsType = "struct<version:bigint,type:string,id:bigint,flags:string,qr:boolean,rd:boolean,ra:boolean," +
		"aa:boolean,tc:boolean,z:boolean,opcode:bigint,rrname:string,rrtype:string,rcode:string,rdata:string," +
		"ttl:bigint,tx_id:bigint,queries:json,answers:json,authorities:json,additionals:json,grouped:json," +
		"query:json,answer:json>"
	httpType = "struct<hostname:string,url:string,http_user_agent:string,http_content_type:string," +
		"http_refer:string,http_method:string,protocol:string,status:bigint,length:bigint,redirect:string," +
		"http_port:bigint,xff:string,http_request_body:string,http_response_body:string," +
		"http_request_body_printable:string,http_response_body_printable:string,request_headers:json," +
		"response_headers:json,content_range:json>"
	hashType = "struct<hash:string,string:string>"
	tlsType  = "struct<subject:string,issuerdn:string,serial:string,fingerprint:string,sni:string," +
		"version:string,notbefore:timestamp,notafter:timestamp,session_resumed:boolean,ja3:" + hashType +
		",ja3s:" + hashType + ",ja4:string,certificate:string,chain:array<string>,client:json," +
		"client_alpns:array<string>,server_alpns:array<string>>"
	fileType = "struct<filename:string,magic:string,gaps:boolean,state:string,md5:string,sha1:string," +
		"sha256:string,stored:boolean,storing:boolean,file_id:bigint,size:bigint,tx_id:bigint,start:bigint," +
		"end:bigint,sid:array<bigint>>"
	sshHostType = "struct<proto_version:string,software_version:string,hassh:" + hashType + ">"
	sshType     = "struct<client:" + sshHostType + ",server:" + sshHostType + ">"
	anomalyType = "struct<type:string,event:string,code:bigint,layer:string,app_proto:string>"
	netflowType = "struct<pkts:bigint,bytes:bigint,start:timestamp,end:timestamp,age:bigint," +
		"min_ttl:bigint,max_ttl:bigint,tx_cnt:bigint>"
	smtpType  = "struct<helo:string,mail_from:string,rcpt_to:array<string>>"
	emailType = "struct<status:string,from:string,to:array<string>,cc:array<string>,subject:string," +
		"date:string,message_id:string,x_mailer:string,user_agent:string,attachment:array<string>," +
		"url:array<string>,has_ipv6_url:boolean,has_ipv4_url:boolean,has_exe_url:boolean>"
	dhcpType = "struct<type:string,id:bigint,client_mac:string,assigned_ip:string,client_ip:string," +
		"relay_ip:string,next_server_ip:string,requested_ip:string,dhcp_type:string,client_id:string," +
		"hostname:string,params:array<string>,lease_time:bigint,rebinding_time:bigint,renewal_time:bigint," +
		"subnet_mask:string,routers:array<string>,dns_servers:array<string>,vendor_class_identifier:string>"
)

var (
	httpCol     = parsers.Column{Name: "http", Type: httpType}
	dnsCol      = parsers.Column{Name: "dns", Type: dnsType}
	tlsCol      = parsers.Column{Name: "tls", Type: tlsType}
	sshCol      = parsers.Column{Name: "ssh", Type: sshType}
	smtpCol     = parsers.Column{Name: "smtp", Type: smtpType}
	emailCol    = parsers.Column{Name: "email", Type: emailType}
	fileinfoCol = parsers.Column{Name: "fileinfo", Type: fileType}
	filesCol    = parsers.Column{Name: "files", Type: "array<" + fileType + ">"}
)

// appLayer are the app-layer objects an alert (or an event of another type)
// may carry along.
var appLayer = []parsers.Column{httpCol, dnsCol, tlsCol, sshCol, smtpCol, emailCol, fileinfoCol, filesCol}

func cols(base []parsers.Column, more ...parsers.Column) []parsers.Column {
	return append(append([]parsers.Column{}, more...), base...)
}

func inds(lists ...[]parsers.Indicator) []parsers.Indicator {
	var out []parsers.Indicator
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Alert is Suricata.Alert: a signature matched.
var Alert = define(spec{
	eventType: "alert", name: "Suricata.Alert", anchor: "#event-type-alert",
	desc: "Suricata alerts: a rule matched, with the flow and app-layer context",
	columns: cols(appLayer,
		parsers.Column{Name: "alert", Type: alertType},
		parsers.Column{Name: "flow", Type: flowType},
		parsers.Column{Name: "payload", Type: "string", Description: "base64 of the packet payload"},
		parsers.Column{Name: "payload_printable", Type: "string"},
		parsers.Column{Name: "packet", Type: "string", Description: "base64 of the packet"},
		parsers.Column{Name: "packet_info", Type: "json"},
		parsers.Column{Name: "stream", Type: "bigint"},
		parsers.Column{Name: "vars", Type: "json"},
		parsers.Column{Name: "verdict", Type: "json"},
		parsers.Column{Name: "frame", Type: "json"},
	),
	indicators: inds([]parsers.Indicator{
		{Path: "alert.source.ip", Kind: "ip"},
		{Path: "alert.target.ip", Kind: "ip"},
	}, httpIndicators, dnsIndicators, tlsIndicators, fileIndicators, smtpIndicators),
	sample: `{"timestamp":"2024-04-01T10:00:00.123456+0000","flow_id":1959620435402694,"in_iface":"eth0","event_type":"alert","src_ip":"198.51.100.9","src_port":4904,"dest_ip":"192.168.1.30","dest_port":22,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2001219,"rev":20,"signature":"ET SCAN Potential SSH Scan","category":"Attempted Information Leak","severity":2},"flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":66,"bytes_toclient":0,"start":"2024-04-01T10:00:00.123456+0000"}}`,
})

// Anomaly is Suricata.Anomaly: malformed or unexpected traffic.
var Anomaly = define(spec{
	eventType: "anomaly", name: "Suricata.Anomaly", anchor: "#event-type-anomaly",
	desc:    "Suricata anomalies: decoder, stream and app-layer protocol violations",
	columns: cols(nil, parsers.Column{Name: "anomaly", Type: anomalyType}),
	sample:  `{"timestamp":"2024-04-01T10:00:01.000000+0000","flow_id":1033012344,"event_type":"anomaly","src_ip":"192.168.1.10","src_port":50000,"dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","anomaly":{"type":"applayer","event":"UNABLE_TO_MATCH_RESPONSE_TO_REQUEST","layer":"proto_parser"},"app_proto":"http"}`,
})

// DHCP is Suricata.DHCP: DHCP requests and replies.
var DHCP = define(spec{
	eventType: "dhcp", name: "Suricata.DHCP", anchor: "#event-type-dhcp",
	desc:       "Suricata DHCP transactions",
	columns:    cols(nil, parsers.Column{Name: "dhcp", Type: dhcpType}),
	indicators: dhcpIndicators,
	sample:     `{"timestamp":"2024-04-01T10:00:02.000000+0000","flow_id":12345,"event_type":"dhcp","src_ip":"192.168.1.1","src_port":67,"dest_ip":"192.168.1.23","dest_port":68,"proto":"UDP","dhcp":{"type":"reply","id":1207388162,"client_mac":"00:11:22:33:44:55","assigned_ip":"192.168.1.23","relay_ip":"0.0.0.0","next_server_ip":"0.0.0.0","dhcp_type":"ack","lease_time":86400,"subnet_mask":"255.255.255.0","routers":["192.168.1.1"],"dns_servers":["192.168.1.1"]}}`,
})

// DNS is Suricata.DNS: DNS queries and answers.
var DNS = define(spec{
	eventType: "dns", name: "Suricata.DNS", anchor: "#event-type-dns",
	desc:       "Suricata DNS queries and answers (EVE DNS formats 1 to 3)",
	columns:    cols(nil, dnsCol),
	indicators: dnsIndicators,
	sample:     `{"timestamp":"2024-04-01T10:00:03.250117+0000","flow_id":1617426,"event_type":"dns","src_ip":"192.168.1.10","src_port":41772,"dest_ip":"192.168.1.1","dest_port":53,"proto":"UDP","dns":{"type":"query","id":36329,"rrname":"www.example.com","rrtype":"A","tx_id":0}}`,
})

// Fileinfo is Suricata.Fileinfo: files seen in app-layer transfers.
var Fileinfo = define(spec{
	eventType: "fileinfo", name: "Suricata.Fileinfo", anchor: "#event-type-fileinfo",
	desc:       "Suricata file information: names, types and hashes of files transferred",
	columns:    cols(nil, fileinfoCol, httpCol, smtpCol, emailCol),
	indicators: inds(fileIndicators, httpIndicators, smtpIndicators),
	sample:     `{"timestamp":"2024-04-01T10:00:05.700000+0000","flow_id":777,"event_type":"fileinfo","src_ip":"93.184.216.34","src_port":80,"dest_ip":"192.168.1.10","dest_port":51236,"proto":"TCP","http":{"hostname":"www.example.com","url":"/download/setup.exe","http_method":"GET","status":200,"length":4096},"app_proto":"http","fileinfo":{"filename":"/download/setup.exe","magic":"PE32 executable (GUI) Intel 80386, for MS Windows","gaps":false,"state":"CLOSED","md5":"0cc175b9c0f1b6a831c399e269772661","sha256":"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb","stored":false,"size":4096,"tx_id":0}}`,
})

// Flow is Suricata.Flow: one record per flow when it ends.
var Flow = define(spec{
	eventType: "flow", name: "Suricata.Flow", anchor: "#event-type-flow",
	desc:    "Suricata flows: packet and byte counts per direction when a flow ends",
	columns: cols(nil, parsers.Column{Name: "flow", Type: flowType}, parsers.Column{Name: "tcp", Type: tcpType}),
	sample:  `{"timestamp":"2024-04-01T10:01:00.000000+0000","flow_id":1959620435402694,"event_type":"flow","src_ip":"192.168.1.10","src_port":51234,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":21,"pkts_toclient":40,"bytes_toserver":2632,"bytes_toclient":50302,"start":"2024-04-01T10:00:00.123456+0000","end":"2024-04-01T10:00:12.625329+0000","age":12,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}`,
})

// HTTP is Suricata.HTTP: HTTP transactions.
var HTTP = define(spec{
	eventType: "http", name: "Suricata.HTTP", anchor: "#event-type-http",
	desc:       "Suricata HTTP transactions",
	columns:    cols(nil, httpCol),
	indicators: httpIndicators,
	sample:     `{"timestamp":"2024-04-01T10:00:07.100000+0000","flow_id":888,"event_type":"http","src_ip":"192.168.1.10","src_port":51236,"dest_ip":"93.184.216.34","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"www.example.com","url":"/index.html","http_user_agent":"curl/8.5.0","http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":1256}}`,
})

// Netflow is Suricata.Netflow: one record per flow direction.
var Netflow = define(spec{
	eventType: "netflow", name: "Suricata.Netflow", anchor: "#event-type-netflow",
	desc:    "Suricata netflow records: one per direction of a flow",
	columns: cols(nil, parsers.Column{Name: "netflow", Type: netflowType}, parsers.Column{Name: "tcp", Type: tcpType}),
	sample:  `{"timestamp":"2024-04-01T10:01:00.000000+0000","flow_id":1959620435402694,"event_type":"netflow","src_ip":"192.168.1.10","src_port":51234,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","app_proto":"tls","netflow":{"pkts":21,"bytes":2632,"start":"2024-04-01T10:00:00.123456+0000","end":"2024-04-01T10:00:12.625329+0000","age":12,"min_ttl":64,"max_ttl":64}}`,
})

// SMTP is Suricata.SMTP: SMTP transactions.
var SMTP = define(spec{
	eventType: "smtp", name: "Suricata.SMTP", anchor: "#event-type-smtp",
	desc:       "Suricata SMTP transactions, with the message headers",
	columns:    cols(nil, smtpCol, emailCol),
	indicators: smtpIndicators,
	sample:     `{"timestamp":"2024-04-01T10:00:19.789543+0000","flow_id":999,"event_type":"smtp","src_ip":"198.51.100.77","src_port":38041,"dest_ip":"192.168.1.25","dest_port":25,"proto":"TCP","tx_id":0,"smtp":{"helo":"mail.example.org","mail_from":"<bob@example.org>","rcpt_to":["<alice@example.com>"]},"email":{"status":"PARSE_DONE","from":"Bob <bob@example.org>","to":["alice@example.com"],"subject":"Invoice"}}`,
})

// SSH is Suricata.SSH: SSH handshakes.
var SSH = define(spec{
	eventType: "ssh", name: "Suricata.SSH", anchor: "#event-type-ssh",
	desc:    "Suricata SSH handshakes: client and server software, HASSH",
	columns: cols(nil, sshCol),
	sample:  `{"timestamp":"2024-04-01T10:00:21.739898+0000","flow_id":1111,"event_type":"ssh","src_ip":"198.51.100.9","src_port":59849,"dest_ip":"192.168.1.30","dest_port":22,"proto":"TCP","ssh":{"client":{"proto_version":"2.0","software_version":"libssh_0.9.6"},"server":{"proto_version":"2.0","software_version":"OpenSSH_9.6"}}}`,
})

// Stats is Suricata.Stats: Suricata's own counters.
var Stats = define(spec{
	eventType: "stats", name: "Suricata.Stats", anchor: "#event-type-stats",
	desc:    "Suricata statistics: capture, decoder, flow and app-layer counters",
	columns: cols(nil, parsers.Column{Name: "stats", Type: "json"}),
	sample:  `{"timestamp":"2024-04-01T10:00:30.000000+0000","event_type":"stats","stats":{"uptime":3600,"capture":{"kernel_packets":120553,"kernel_drops":0},"decoder":{"pkts":120553,"bytes":98123456},"flow":{"memuse":7074304}}}`,
})

// TLS is Suricata.TLS: TLS handshakes.
var TLS = define(spec{
	eventType: "tls", name: "Suricata.TLS", anchor: "#event-type-tls",
	desc:       "Suricata TLS handshakes: SNI, certificate, JA3/JA4",
	columns:    cols(nil, tlsCol),
	indicators: tlsIndicators,
	sample:     `{"timestamp":"2024-04-01T10:00:22.615923+0000","flow_id":2222,"event_type":"tls","src_ip":"192.168.1.10","src_port":39611,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","tls":{"subject":"CN=www.example.com","issuerdn":"CN=Example CA, O=Example Inc, C=US","serial":"0C:C5:7F:E5","fingerprint":"5a:93:b4:00:33:84:8e:48:c5:56:99:cb:ac:5c:35:a0:e3:c9:69:02","sni":"www.example.com","version":"TLS 1.3","notbefore":"2024-01-01T00:00:00","notafter":"2024-12-31T23:59:59","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,4865-4866-4867,0-23-65281,29-23-24,0"}}}`,
})

// Event is Suricata.Event: every event_type without a type of its own.
var Event = define(spec{
	name: "Suricata.Event", anchor: "#eve-json-format",
	desc:       "Suricata EVE events of the other event types (krb5, smb, rdp, quic, drop, ...), with the common fields",
	columns:    cols(appLayer),
	indicators: inds(httpIndicators, dnsIndicators, tlsIndicators, fileIndicators, smtpIndicators),
	sample:     `{"timestamp":"2024-04-01T10:00:40.000000+0000","flow_id":3333,"event_type":"krb5","src_ip":"10.0.0.41","src_port":58444,"dest_ip":"10.0.0.2","dest_port":88,"proto":"TCP","krb5":{"msg_type":"KRB_AS_REQ","cname":"alice","realm":"CORP.EXAMPLE.COM","sname":"krbtgt/CORP.EXAMPLE.COM","encryption":"aes256-cts-hmac-sha1-96","weak_encryption":false}}`,
})
