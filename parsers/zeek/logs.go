package zeek

// The log types. Fields are Zeek's documented columns of each log (the Info
// record of its script, plus the columns of the policy scripts that
// commonly extend it), written "name:type" with Zeek's type names. A leading
// * marks a field every record has (logged without &optional, or with a
// &default): field-set detection requires those. @id stands for the four
// conn_id columns (id.orig_h, id.orig_p, id.resp_h, id.resp_p), required;
// @id? for the same, optional.
//
// ts feeds p_event_time. The conn_id addresses feed p_any_ip_addresses and
// uid feeds p_any_trace_ids (it ties every log line of one connection
// together) for every type that has them; the indicators listed here are
// the others.

const scriptDocs = "https://docs.zeek.org/en/master/scripts/"

// Conn is Zeek.Conn: conn.log, one line per connection.
var Conn = define(spec{
	path: "conn", name: "Zeek.Conn",
	desc: "Zeek conn.log: one summary line per TCP, UDP or ICMP connection",
	ref:  scriptDocs + "base/protocols/conn/main.zeek.html#type-Conn::Info",
	fields: `*ts:time *uid:string @id *proto:enum service:string duration:interval
		orig_bytes:count resp_bytes:count conn_state:string local_orig:bool local_resp:bool
		*missed_bytes:count history:string orig_pkts:count orig_ip_bytes:count resp_pkts:count
		resp_ip_bytes:count tunnel_parents:set[string] ip_proto:count orig_l2_addr:string
		resp_l2_addr:string community_id:string orig_cc:string resp_cc:string vlan:int inner_vlan:int
		app:set[string] speculative_service:string`,
	indicators: []ind{{"trace_id", "community_id"}},
	sample:     `{"ts":1711965600.123456,"uid":"CAcZbL2mB0v3bUkD5e","id.orig_h":"192.168.1.10","id.orig_p":51234,"id.resp_h":"93.184.216.34","id.resp_p":443,"proto":"tcp","service":"ssl","duration":12.501,"orig_bytes":1520,"resp_bytes":48210,"conn_state":"SF","missed_bytes":0,"history":"ShADadFf","orig_pkts":21,"orig_ip_bytes":2632,"resp_pkts":40,"resp_ip_bytes":50302}`,
})

// DCERPC is Zeek.DCERPC: dce_rpc.log, DCE/RPC operations.
var DCERPC = define(spec{
	path: "dce_rpc", name: "Zeek.DCERPC",
	desc:   "Zeek dce_rpc.log: DCE/RPC endpoints and operations called",
	ref:    scriptDocs + "base/protocols/dce-rpc/main.zeek.html#type-DCE_RPC::Info",
	fields: `*ts:time *uid:string @id rtt:interval named_pipe:string endpoint:string operation:string`,
	sample: `{"ts":1711965601.5,"uid":"CT1orU31pfzjVTClIh","id.orig_h":"10.0.0.5","id.orig_p":49712,"id.resp_h":"10.0.0.2","id.resp_p":135,"rtt":0.000684,"named_pipe":"135","endpoint":"epmapper","operation":"ept_map"}`,
})

// DHCP is Zeek.DHCP: dhcp.log, one line per DHCP exchange.
var DHCP = define(spec{
	path: "dhcp", name: "Zeek.DHCP",
	desc: "Zeek dhcp.log: DHCP leases requested and assigned",
	ref:  scriptDocs + "base/protocols/dhcp/main.zeek.html#type-DHCP::Info",
	fields: `*ts:time *uids:set[string] client_addr:addr server_addr:addr client_port:port server_port:port
		mac:string host_name:string client_fqdn:string domain:string requested_addr:addr assigned_addr:addr
		lease_time:interval client_message:string server_message:string *msg_types:vector[string]
		*duration:interval client_chaddr:string msg_orig:vector[addr] client_software:string
		server_software:string circuit_id:string agent_remote_id:string subscriber_id:string`,
	indicators: []ind{
		{"ip", "client_addr", "server_addr", "requested_addr", "assigned_addr", "msg_orig"},
		{"domain", "client_fqdn", "domain"},
		{"trace_id", "uids"},
	},
	sample: `{"ts":1711965602.01,"uids":["CmWOt91Tr4NnUEGsQ6"],"client_addr":"192.168.1.23","server_addr":"192.168.1.1","mac":"00:11:22:33:44:55","host_name":"laptop-7","domain":"corp.example.com","assigned_addr":"192.168.1.23","lease_time":86400.0,"msg_types":["REQUEST","ACK"],"duration":0.0021}`,
})

// DNS is Zeek.DNS: dns.log, DNS queries and their answers.
var DNS = define(spec{
	path: "dns", name: "Zeek.DNS",
	desc: "Zeek dns.log: DNS queries and responses",
	ref:  scriptDocs + "base/protocols/dns/main.zeek.html#type-DNS::Info",
	fields: `*ts:time *uid:string @id *proto:enum *trans_id:count rtt:interval query:string qclass:count
		qclass_name:string qtype:count qtype_name:string rcode:count rcode_name:string *AA:bool *TC:bool
		*RD:bool *RA:bool *Z:count answers:vector[string] TTLs:vector[interval] *rejected:bool
		auth:set[string] addl:set[string] original_query:string`,
	indicators: []ind{{"domain", "query", "original_query"}, {"hostname", "answers"}},
	sample:     `{"ts":1711965603.250117,"uid":"CqKst53mF3det3eDV9","id.orig_h":"192.168.1.10","id.orig_p":41772,"id.resp_h":"192.168.1.1","id.resp_p":53,"proto":"udp","trans_id":36329,"rtt":0.00087,"query":"www.example.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["93.184.216.34"],"TTLs":[3600.0],"rejected":false}`,
})

// DPD is Zeek.DPD: dpd.log, protocol analyzers that failed on a connection.
var DPD = define(spec{
	path: "dpd", name: "Zeek.DPD",
	desc:   "Zeek dpd.log: dynamic protocol detection failures",
	ref:    scriptDocs + "base/frameworks/dpd/main.zeek.html#type-DPD::Info",
	fields: `*ts:time *uid:string @id *proto:enum *analyzer:string *failure_reason:string packet_segment:string`,
	sample: `{"ts":1711965604.5,"uid":"C3eiCBGOLw3VtHfOj","id.orig_h":"192.168.1.10","id.orig_p":50211,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","analyzer":"SSL","failure_reason":"Invalid version late in TLS connection. Packet reported version: 0"}`,
})

// Files is Zeek.Files: files.log, one line per file seen on the wire.
var Files = define(spec{
	path: "files", name: "Zeek.Files",
	desc: "Zeek files.log: files transferred over any protocol, with their hashes",
	ref:  scriptDocs + "base/frameworks/files/main.zeek.html#type-Files::Info",
	fields: `*ts:time *fuid:string uid:string @id? source:string *depth:count *analyzers:set[string]
		mime_type:string filename:string *duration:interval local_orig:bool is_orig:bool
		*seen_bytes:count total_bytes:count *missing_bytes:count *overflow_bytes:count *timedout:bool
		parent_fuid:string md5:string sha1:string sha256:string extracted:string extracted_cutoff:bool
		extracted_size:count entropy:double tx_hosts:set[addr] rx_hosts:set[addr] conn_uids:set[string]`,
	indicators: []ind{
		{"ip", "tx_hosts", "rx_hosts"},
		{"md5", "md5"}, {"sha1", "sha1"}, {"sha256", "sha256"},
		{"trace_id", "conn_uids"},
	},
	sample: `{"ts":1711965605.7,"fuid":"FQ8pnI1ZqXbAWhGSLa","uid":"CAcZbL2mB0v3bUkD5e","id.orig_h":"192.168.1.10","id.orig_p":51236,"id.resp_h":"93.184.216.34","id.resp_p":80,"source":"HTTP","depth":0,"analyzers":["MD5","SHA1","SHA256"],"mime_type":"application/x-dosexec","filename":"setup.exe","duration":0.25,"is_orig":false,"seen_bytes":4096,"total_bytes":4096,"missing_bytes":0,"overflow_bytes":0,"timedout":false,"md5":"0cc175b9c0f1b6a831c399e269772661","sha1":"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8","sha256":"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"}`,
})

// FTP is Zeek.FTP: ftp.log, FTP commands and replies.
var FTP = define(spec{
	path: "ftp", name: "Zeek.FTP",
	desc: "Zeek ftp.log: FTP commands, replies and data channels",
	ref:  scriptDocs + "base/protocols/ftp/info.zeek.html#type-FTP::Info",
	fields: `*ts:time *uid:string @id *user:string password:string command:string arg:string mime_type:string
		file_size:count reply_code:count reply_msg:string data_channel.passive:bool data_channel.orig_h:addr
		data_channel.resp_h:addr data_channel.resp_p:port fuid:string`,
	indicators: []ind{{"username", "user"}, {"ip", "data_channel.orig_h", "data_channel.resp_h"}},
	sample:     `{"ts":1711965606.699488,"uid":"CRJ34i2alWZXGHGfng","id.orig_h":"192.168.1.10","id.orig_p":45905,"id.resp_h":"198.51.100.21","id.resp_p":21,"user":"anonymous","password":"guest@example.com","command":"RETR","arg":"ftp://198.51.100.21/pub/readme.txt","reply_code":226,"reply_msg":"Transfer complete."}`,
})

// HTTP is Zeek.HTTP: http.log, one line per HTTP request/response.
var HTTP = define(spec{
	path: "http", name: "Zeek.HTTP",
	desc: "Zeek http.log: HTTP requests and replies",
	ref:  scriptDocs + "base/protocols/http/main.zeek.html#type-HTTP::Info",
	fields: `*ts:time *uid:string @id *trans_depth:count method:string host:string uri:string referrer:string
		version:string user_agent:string origin:string *request_body_len:count *response_body_len:count
		status_code:count status_msg:string info_code:count info_msg:string *tags:set[enum] username:string
		password:string proxied:set[string] orig_fuids:vector[string] orig_filenames:vector[string]
		orig_mime_types:vector[string] resp_fuids:vector[string] resp_filenames:vector[string]
		resp_mime_types:vector[string] client_header_names:vector[string] server_header_names:vector[string]
		cookie_vars:vector[string] uri_vars:vector[string]`,
	indicators: []ind{{"hostname", "host"}, {"url", "referrer", "origin"}, {"username", "username"}},
	sample:     `{"ts":1711965607.1,"uid":"CUM0KZ3MLUfNB0cl11","id.orig_h":"192.168.1.10","id.orig_p":51236,"id.resp_h":"93.184.216.34","id.resp_p":80,"trans_depth":1,"method":"GET","host":"www.example.com","uri":"/download/setup.exe","version":"1.1","user_agent":"curl/8.5.0","request_body_len":0,"response_body_len":4096,"status_code":200,"status_msg":"OK","tags":[],"resp_fuids":["FQ8pnI1ZqXbAWhGSLa"],"resp_mime_types":["application/x-dosexec"]}`,
})

// Kerberos is Zeek.Kerberos: kerberos.log, Kerberos AS and TGS exchanges.
var Kerberos = define(spec{
	path: "kerberos", name: "Zeek.Kerberos",
	desc: "Zeek kerberos.log: Kerberos ticket requests",
	ref:  scriptDocs + "base/protocols/krb/main.zeek.html#type-KRB::Info",
	fields: `*ts:time *uid:string @id request_type:string client:string service:string success:bool
		error_code:count error_msg:string from:time till:time cipher:string forwardable:bool renewable:bool
		client_cert_subject:string client_cert_fuid:string server_cert_subject:string server_cert_fuid:string
		auth_ticket:string new_ticket:string`,
	indicators: []ind{{"username", "client"}},
	sample:     `{"ts":1711965608.713879,"uid":"CiB1v61O1fMDWoHN2","id.orig_h":"10.0.0.41","id.orig_p":58444,"id.resp_h":"10.0.0.2","id.resp_p":88,"request_type":"TGS","client":"alice/CORP.EXAMPLE.COM","service":"cifs/fs1.corp.example.com","success":true,"till":1712052008.0,"cipher":"aes256-cts-hmac-sha1-96","forwardable":true,"renewable":true}`,
})

// KnownHosts is Zeek.KnownHosts: known_hosts.log, hosts seen completing a
// TCP handshake, once a day each.
var KnownHosts = define(spec{
	path: "known_hosts", name: "Zeek.KnownHosts",
	desc:       "Zeek known_hosts.log: local hosts seen doing TCP",
	ref:        scriptDocs + "policy/protocols/conn/known-hosts.zeek.html#type-Known::HostsInfo",
	fields:     `*ts:time *host:addr`,
	indicators: []ind{{"ip", "host"}},
	sample:     `{"ts":1711965609.605656,"host":"192.168.1.10"}`,
})

// Notice is Zeek.Notice: notice.log, what Zeek's scripts flag as notable.
var Notice = define(spec{
	path: "notice", name: "Zeek.Notice",
	desc:       "Zeek notice.log: notices raised by Zeek's detection scripts",
	ref:        scriptDocs + "base/frameworks/notice/main.zeek.html#type-Notice::Info",
	fields:     noticeFields,
	indicators: []ind{{"ip", "src", "dst"}, {"email", "email_dest"}},
	sample:     `{"ts":1711965610.629574,"uid":"CmC9kY1X0u9nP78KZc","id.orig_h":"192.168.1.10","id.orig_p":39611,"id.resp_h":"203.0.113.7","id.resp_p":443,"fuid":"FGP2jt4dhD3bYZ923k","proto":"tcp","note":"SSL::Invalid_Server_Cert","msg":"SSL certificate validation failed with (unable to get local issuer certificate)","sub":"CN=bad.example.net","src":"192.168.1.10","dst":"203.0.113.7","p":443,"actions":["Notice::ACTION_LOG"],"email_dest":[],"suppress_for":3600.0}`,
})

// NTLM is Zeek.NTLM: ntlm.log, NTLM authentications.
var NTLM = define(spec{
	path: "ntlm", name: "Zeek.NTLM",
	desc: "Zeek ntlm.log: NTLM authentication attempts",
	ref:  scriptDocs + "base/protocols/ntlm/main.zeek.html#type-NTLM::Info",
	fields: `*ts:time *uid:string @id username:string hostname:string domainname:string
		server_nb_computer_name:string server_dns_computer_name:string server_tree_name:string success:bool
		status:string done:bool`,
	indicators: []ind{{"username", "username"}, {"domain", "server_dns_computer_name", "server_tree_name", "domainname"}},
	sample:     `{"ts":1711965611.608646,"uid":"CGLspW1BuwJH6YxjK6","id.orig_h":"10.0.0.41","id.orig_p":36315,"id.resp_h":"10.0.0.8","id.resp_p":445,"username":"alice","hostname":"WS-041","domainname":"CORP","server_nb_computer_name":"FS1","server_dns_computer_name":"fs1.corp.example.com","server_tree_name":"corp.example.com","success":true}`,
})

// NTP is Zeek.NTP: ntp.log, NTP messages.
var NTP = define(spec{
	path: "ntp", name: "Zeek.NTP",
	desc: "Zeek ntp.log: NTP requests and replies",
	ref:  scriptDocs + "base/protocols/ntp/main.zeek.html#type-NTP::Info",
	fields: `*ts:time *uid:string @id *version:count *mode:count stratum:count poll:interval precision:interval
		root_delay:interval root_disp:interval ref_id:string ref_time:time org_time:time rec_time:time
		xmt_time:time num_exts:count`,
	sample: `{"ts":1711965612.0,"uid":"CqlVt5ZsVnXUt1TnD","id.orig_h":"192.168.1.10","id.orig_p":123,"id.resp_h":"198.51.100.123","id.resp_p":123,"version":4,"mode":4,"stratum":2,"poll":64.0,"precision":0.000001,"root_delay":0.015,"root_disp":0.02,"ref_id":"192.0.2.1","ref_time":1711965500.5,"org_time":1711965611.9,"rec_time":1711965611.95,"xmt_time":1711965611.951,"num_exts":0}`,
})

// OCSP is Zeek.OCSP: ocsp.log, OCSP responses.
var OCSP = define(spec{
	path: "ocsp", name: "Zeek.OCSP",
	desc: "Zeek ocsp.log: OCSP certificate status responses",
	ref:  scriptDocs + "policy/files/x509/log-ocsp.zeek.html#type-OCSP::Info",
	fields: `*ts:time *id:string *hashAlgorithm:string *issuerNameHash:string *issuerKeyHash:string
		*serialNumber:string *certStatus:string revoketime:time revokereason:string *thisUpdate:time
		nextUpdate:time`,
	sample: `{"ts":1711965613.2,"id":"Fv2hWv3PBYLvdTNTkc","hashAlgorithm":"sha1","issuerNameHash":"4d1f1c2b5d8e7a6b3c2d1e0f9a8b7c6d5e4f3a2b","issuerKeyHash":"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567","serialNumber":"0E4D3C2B1A","certStatus":"good","thisUpdate":1711900000.0,"nextUpdate":1712504800.0}`,
})

// RDP is Zeek.RDP: rdp.log, Remote Desktop connections.
var RDP = define(spec{
	path: "rdp", name: "Zeek.RDP",
	desc: "Zeek rdp.log: Remote Desktop Protocol sessions",
	ref:  scriptDocs + "base/protocols/rdp/main.zeek.html#type-RDP::Info",
	fields: `*ts:time *uid:string @id cookie:string result:string security_protocol:string
		client_channels:vector[string] keyboard_layout:string client_build:string client_name:string
		client_dig_product_id:string desktop_width:count desktop_height:count requested_color_depth:string
		cert_type:string *cert_count:count cert_permanent:bool encryption_level:string
		encryption_method:string ssl:bool`,
	indicators: []ind{{"username", "cookie"}},
	sample:     `{"ts":1711965614.258458,"uid":"CMwJl820SlYyy434c8","id.orig_h":"192.168.1.10","id.orig_p":39681,"id.resp_h":"10.0.0.12","id.resp_p":3389,"cookie":"alice","result":"encrypted","security_protocol":"HYBRID","cert_count":0}`,
})

// Reporter is Zeek.Reporter: reporter.log, Zeek's own messages.
var Reporter = define(spec{
	path: "reporter", name: "Zeek.Reporter",
	desc:   "Zeek reporter.log: Zeek's internal warnings and errors",
	ref:    scriptDocs + "base/frameworks/reporter/main.zeek.html#type-Reporter::Info",
	fields: `*ts:time *level:enum *message:string location:string`,
	enums:  map[string]string{"level": "Reporter::"},
	sample: `{"ts":1711965615.0,"level":"Reporter::WARNING","message":"dropped packets: 12 of 100000","location":""}`,
})

// SIP is Zeek.SIP: sip.log, SIP requests and replies.
var SIP = define(spec{
	path: "sip", name: "Zeek.SIP",
	desc: "Zeek sip.log: Session Initiation Protocol transactions",
	ref:  scriptDocs + "base/protocols/sip/main.zeek.html#type-SIP::Info",
	fields: `*ts:time *uid:string @id *trans_depth:count method:string uri:string date:string
		request_from:string request_to:string response_from:string response_to:string reply_to:string
		call_id:string seq:string subject:string request_path:vector[string] response_path:vector[string]
		user_agent:string status_code:count status_msg:string warning:string request_body_len:count
		response_body_len:count content_type:string`,
	sample: `{"ts":1711965616.4,"uid":"CJZDWgixtwqXctWEg","id.orig_h":"198.51.100.50","id.orig_p":5060,"id.resp_h":"192.168.1.5","id.resp_p":5060,"trans_depth":0,"method":"REGISTER","uri":"sip:192.168.1.5","request_from":"<sip:100@192.168.1.5>","request_to":"<sip:100@192.168.1.5>","call_id":"1234567890@198.51.100.50","seq":"1 REGISTER","request_path":["SIP/2.0/UDP 198.51.100.50:5060"],"user_agent":"friendly-scanner","status_code":401,"status_msg":"Unauthorized","request_body_len":0,"response_body_len":0}`,
})

// SMBFiles is Zeek.SMBFiles: smb_files.log, files opened over SMB.
var SMBFiles = define(spec{
	path: "smb_files", name: "Zeek.SMBFiles",
	desc: "Zeek smb_files.log: files and pipes accessed over SMB",
	ref:  scriptDocs + "base/protocols/smb/main.zeek.html#type-SMB::FileInfo",
	fields: `*ts:time *uid:string @id fuid:string action:enum path:string name:string *size:count
		prev_name:string times.modified:time times.accessed:time times.created:time times.changed:time
		data_offset_req:count data_len_req:count data_len_rsp:count`,
	sample: `{"ts":1711965617.600639,"uid":"C6WWAQ2G8MqT1hrQHd","id.orig_h":"10.0.0.41","id.orig_p":41717,"id.resp_h":"10.0.0.8","id.resp_p":445,"action":"SMB::FILE_OPEN","path":"\\\\fs1\\share","name":"report.docx","size":24576,"times.modified":1711900000.25,"times.accessed":1711965000.0,"times.created":1711800000.0,"times.changed":1711900000.25}`,
})

// SMBMapping is Zeek.SMBMapping: smb_mapping.log, SMB tree connects.
var SMBMapping = define(spec{
	path: "smb_mapping", name: "Zeek.SMBMapping",
	desc:   "Zeek smb_mapping.log: SMB shares mapped",
	ref:    scriptDocs + "base/protocols/smb/main.zeek.html#type-SMB::TreeInfo",
	fields: `*ts:time *uid:string @id path:string service:string native_file_system:string *share_type:string`,
	sample: `{"ts":1711965618.382822,"uid":"C4RwE01ohVxASBuobd","id.orig_h":"10.0.0.41","id.orig_p":52298,"id.resp_h":"10.0.0.8","id.resp_p":445,"path":"\\\\FS1\\IPC$","service":"IPC","share_type":"PIPE"}`,
})

// SMTP is Zeek.SMTP: smtp.log, one line per SMTP transaction.
var SMTP = define(spec{
	path: "smtp", name: "Zeek.SMTP",
	desc: "Zeek smtp.log: SMTP transactions and message headers",
	ref:  scriptDocs + "base/protocols/smtp/main.zeek.html#type-SMTP::Info",
	fields: `*ts:time *uid:string @id *trans_depth:count helo:string mailfrom:string rcptto:set[string]
		date:string from:string to:set[string] cc:set[string] reply_to:string msg_id:string
		in_reply_to:string subject:string x_originating_ip:addr first_received:string
		second_received:string last_reply:string path:vector[addr] user_agent:string *tls:bool
		*fuids:vector[string] is_webmail:bool`,
	indicators: []ind{
		{"email", "mailfrom", "rcptto", "from", "to", "cc", "reply_to"},
		{"ip", "x_originating_ip", "path"},
		{"hostname", "helo"},
	},
	sample: `{"ts":1711965619.789543,"uid":"C18H5P2mT0bRiA2Sdk","id.orig_h":"198.51.100.77","id.orig_p":38041,"id.resp_h":"192.168.1.25","id.resp_p":25,"trans_depth":1,"helo":"mail.example.org","mailfrom":"bob@example.org","rcptto":["alice@example.com"],"subject":"Invoice","last_reply":"250 2.0.0 Ok: queued","path":["192.168.1.25","198.51.100.77"],"tls":false,"fuids":["Fel9gs4OtNEV6gUJZ5"],"is_webmail":false}`,
})

// Software is Zeek.Software: software.log, software versions seen on hosts.
var Software = define(spec{
	path: "software", name: "Zeek.Software",
	desc: "Zeek software.log: software and versions seen in use",
	ref:  scriptDocs + "base/frameworks/software/main.zeek.html#type-Software::Info",
	fields: `*ts:time *host:addr host_p:port *software_type:enum name:string version.major:count
		version.minor:count version.minor2:count version.minor3:count version.addl:string
		unparsed_version:string url:string`,
	indicators: []ind{{"ip", "host"}},
	sample:     `{"ts":1711965620.609736,"host":"192.168.1.10","software_type":"HTTP::BROWSER","name":"Firefox","version.major":124,"version.minor":0,"unparsed_version":"Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0"}`,
})

// SSH is Zeek.SSH: ssh.log, SSH sessions.
var SSH = define(spec{
	path: "ssh", name: "Zeek.SSH",
	desc: "Zeek ssh.log: SSH sessions, software and algorithms",
	ref:  scriptDocs + "base/protocols/ssh/main.zeek.html#type-SSH::Info",
	fields: `*ts:time *uid:string @id version:count auth_success:bool *auth_attempts:count direction:enum
		client:string server:string cipher_alg:string mac_alg:string compression_alg:string kex_alg:string
		host_key_alg:string host_key:string remote_location.country_code:string remote_location.region:string
		remote_location.city:string remote_location.latitude:double remote_location.longitude:double
		hassh:string hasshServer:string hasshAlgorithms:string hasshServerAlgorithms:string cshka:string
		sshka:string hasshVersion:string`,
	sample: `{"ts":1711965621.739898,"uid":"C2MugGdsn3ZVI1wn6","id.orig_h":"198.51.100.9","id.orig_p":59849,"id.resp_h":"192.168.1.30","id.resp_p":22,"version":2,"auth_success":false,"auth_attempts":3,"client":"SSH-2.0-libssh_0.9.6","server":"SSH-2.0-OpenSSH_9.6","cipher_alg":"chacha20-poly1305@openssh.com","mac_alg":"umac-64-etm@openssh.com","compression_alg":"none","kex_alg":"curve25519-sha256","host_key_alg":"ssh-ed25519","host_key":"2d:37:6b:11:43:f8:96:08:fe:60:42:20:98:9f:75:af"}`,
})

// SSL is Zeek.SSL: ssl.log, TLS and SSL handshakes.
var SSL = define(spec{
	path: "ssl", name: "Zeek.SSL",
	desc: "Zeek ssl.log: TLS/SSL handshakes, server names and certificate chains",
	ref:  scriptDocs + "base/protocols/ssl/main.zeek.html#type-SSL::Info",
	fields: `*ts:time *uid:string @id version:string cipher:string curve:string server_name:string
		*resumed:bool last_alert:string next_protocol:string *established:bool ssl_history:string
		cert_chain_fps:vector[string] client_cert_chain_fps:vector[string] cert_chain_fuids:vector[string]
		client_cert_chain_fuids:vector[string] subject:string issuer:string client_subject:string
		client_issuer:string sni_matches_cert:bool validation_status:string ocsp_status:string
		valid_ct_logs:count valid_ct_operators:count ja3:string ja3s:string ja4:string`,
	indicators: []ind{{"domain", "server_name"}, {"hash", "cert_chain_fps", "client_cert_chain_fps"}},
	sample:     `{"ts":1711965622.615923,"uid":"CmC9kY1X0u9nP78KZc","id.orig_h":"192.168.1.10","id.orig_p":39611,"id.resp_h":"93.184.216.34","id.resp_p":443,"version":"TLSv13","cipher":"TLS_AES_128_GCM_SHA256","curve":"x25519","server_name":"www.example.com","resumed":false,"established":true,"ssl_history":"CsiI","cert_chain_fps":["b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe"],"client_cert_chain_fps":[],"sni_matches_cert":true,"validation_status":"ok"}`,
})

// Stats is Zeek.Stats: stats.log, Zeek's own resource counters.
var Stats = define(spec{
	path: "stats", name: "Zeek.Stats",
	desc: "Zeek stats.log: packets, memory and connections processed by Zeek",
	ref:  scriptDocs + "policy/misc/stats.zeek.html#type-Stats::Info",
	fields: `*ts:time *peer:string *mem:count *pkts_proc:count *bytes_recv:count pkts_dropped:count
		pkts_link:count pkt_lag:interval pkts_filtered:count *events_proc:count *events_queued:count
		active_tcp_conns:count active_udp_conns:count active_icmp_conns:count tcp_conns:count
		udp_conns:count icmp_conns:count timers:count active_timers:count files:count active_files:count
		dns_requests:count active_dns_requests:count reassem_tcp_size:count reassem_file_size:count
		reassem_frag_size:count reassem_unknown_size:count`,
	sample: `{"ts":1711965623.0,"peer":"zeek","mem":412,"pkts_proc":120553,"bytes_recv":98123456,"pkts_dropped":0,"pkts_link":120553,"events_proc":845112,"events_queued":845120,"active_tcp_conns":120,"active_udp_conns":35,"active_icmp_conns":2,"tcp_conns":510,"udp_conns":990,"icmp_conns":12,"timers":40211,"active_timers":3120,"files":44,"active_files":2,"dns_requests":980,"active_dns_requests":1,"reassem_tcp_size":20480,"reassem_file_size":0,"reassem_frag_size":0,"reassem_unknown_size":0}`,
})

// CaptureLoss is Zeek.CaptureLoss: capture_loss.log, estimated packet loss.
var CaptureLoss = define(spec{
	path: "capture_loss", name: "Zeek.CaptureLoss",
	desc:   "Zeek capture_loss.log: estimated packet capture loss",
	ref:    scriptDocs + "policy/misc/capture-loss.zeek.html#type-CaptureLoss::Info",
	fields: `*ts:time *ts_delta:interval *peer:string *gaps:count *acks:count *percent_lost:double`,
	sample: `{"ts":1711965624.0,"ts_delta":900.0,"peer":"zeek","gaps":12,"acks":100431,"percent_lost":0.011948}`,
})

// Syslog is Zeek.Syslog: syslog.log, syslog messages seen on the wire.
var Syslog = define(spec{
	path: "syslog", name: "Zeek.Syslog",
	desc:   "Zeek syslog.log: syslog messages sent over the network",
	ref:    scriptDocs + "base/protocols/syslog/main.zeek.html#type-Syslog::Info",
	fields: `*ts:time *uid:string @id *proto:enum *facility:string *severity:string *message:string`,
	sample: `{"ts":1711965625.733658,"uid":"CgDNpczQ7oLqM2Ta5","id.orig_h":"192.168.1.40","id.orig_p":62695,"id.resp_h":"192.168.1.2","id.resp_p":514,"proto":"udp","facility":"AUTH","severity":"NOTICE","message":"sshd[811]: Failed password for root from 198.51.100.9 port 59849 ssh2"}`,
})

// Tunnel is Zeek.Tunnel: tunnel.log, tunnels opened and closed.
var Tunnel = define(spec{
	path: "tunnel", name: "Zeek.Tunnel",
	desc:   "Zeek tunnel.log: encapsulation tunnels (Teredo, GRE, VXLAN, ...)",
	ref:    scriptDocs + "base/frameworks/tunnels/main.zeek.html#type-Tunnel::Info",
	fields: `*ts:time uid:string @id *tunnel_type:enum *action:enum`,
	sample: `{"ts":1711965626.1,"uid":"CKaQuE2r1n2wGQeKLd","id.orig_h":"10.0.0.3","id.orig_p":0,"id.resp_h":"10.0.0.4","id.resp_p":0,"tunnel_type":"Tunnel::GRE","action":"Tunnel::DISCOVER"}`,
})

// Weird is Zeek.Weird: weird.log, protocol violations and oddities.
var Weird = define(spec{
	path: "weird", name: "Zeek.Weird",
	desc:   "Zeek weird.log: unexpected protocol-level activity",
	ref:    scriptDocs + "base/frameworks/notice/weird.zeek.html#type-Weird::Info",
	fields: `*ts:time uid:string @id? *name:string addl:string *notice:bool peer:string source:string`,
	sample: `{"ts":1711965627.600843,"uid":"CsPzgh4tp5lHBTnsrf","id.orig_h":"192.168.1.10","id.orig_p":49562,"id.resp_h":"93.184.216.34","id.resp_p":80,"name":"TCP_ack_underflow_or_misorder","notice":false,"peer":"zeek","source":"TCP"}`,
})

// X509 is Zeek.X509: x509.log, certificates seen in TLS handshakes.
var X509 = define(spec{
	path: "x509", name: "Zeek.X509",
	desc: "Zeek x509.log: X.509 certificates seen on the wire",
	ref:  scriptDocs + "base/files/x509/main.zeek.html#type-X509::Info",
	fields: `*ts:time fingerprint:string id:string *certificate.version:count *certificate.serial:string
		*certificate.subject:string *certificate.issuer:string certificate.not_valid_before:time
		certificate.not_valid_after:time certificate.key_alg:string certificate.sig_alg:string
		certificate.key_type:string certificate.key_length:count certificate.exponent:string
		certificate.curve:string certificate.cn:string certificate.tbs_sig_alg:string san.dns:vector[string]
		san.uri:vector[string] san.email:vector[string] san.ip:vector[addr] basic_constraints.ca:bool
		basic_constraints.path_len:count host_cert:bool client_cert:bool`,
	indicators: []ind{
		{"hash", "fingerprint"},
		{"hostname", "san.dns", "certificate.cn"},
		{"ip", "san.ip"},
		{"email", "san.email"},
	},
	sample: `{"ts":1711965628.624556,"fingerprint":"b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe","certificate.version":3,"certificate.serial":"CC57FE54011E","certificate.subject":"CN=www.example.com,O=Example Inc,C=US","certificate.issuer":"CN=Example CA,O=Example Inc,C=US","certificate.not_valid_before":1704067200.0,"certificate.not_valid_after":1735689599.0,"certificate.key_alg":"rsaEncryption","certificate.sig_alg":"sha256WithRSAEncryption","certificate.key_type":"rsa","certificate.key_length":2048,"certificate.exponent":"65537","san.dns":["www.example.com","example.com"],"basic_constraints.ca":false,"host_cert":true,"client_cert":false}`,
})

// IRC is Zeek.IRC: irc.log, IRC commands and responses.
var IRC = define(spec{
	path: "irc", name: "Zeek.IRC",
	desc: "Zeek irc.log: IRC commands and replies, DCC file transfers",
	ref:  scriptDocs + "base/protocols/irc/main.zeek.html#type-IRC::Info",
	fields: `*ts:time *uid:string @id nick:string user:string command:string value:string addl:string
		dcc_file_name:string dcc_file_size:count dcc_mime_type:string fuid:string`,
	indicators: []ind{{"username", "user"}},
	sample:     `{"ts":1711965654.4,"uid":"CP9ZfQ2Dbu3lqO2F5h","id.orig_h":"192.168.1.77","id.orig_p":40832,"id.resp_h":"198.51.100.66","id.resp_p":6667,"nick":"bot-4f2a","command":"USER","value":"bot-4f2a","addl":"0 * bot"}`,
})

// LDAP is Zeek.LDAP: ldap.log, LDAP operations.
var LDAP = define(spec{
	path: "ldap", name: "Zeek.LDAP",
	desc: "Zeek ldap.log: LDAP operations and results (binds, adds, modifies, ...)",
	ref:  scriptDocs + "base/protocols/ldap/main.zeek.html#type-LDAP::MessageInfo",
	fields: `*ts:time *uid:string @id message_id:int version:int opcode:string result:string
		diagnostic_message:string object:string argument:string`,
	sample: `{"ts":1711965655.1,"uid":"CHwzTt3VaQpMmVpN84","id.orig_h":"10.0.0.41","id.orig_p":50122,"id.resp_h":"10.0.0.2","id.resp_p":389,"message_id":1,"version":3,"opcode":"bind simple","result":"success","object":"cn=svc-backup,ou=Service Accounts,dc=corp,dc=example,dc=com","argument":"REDACTED"}`,
})

// LDAPSearch is Zeek.LDAPSearch: ldap_search.log, LDAP searches.
var LDAPSearch = define(spec{
	path: "ldap_search", name: "Zeek.LDAPSearch",
	desc: "Zeek ldap_search.log: LDAP searches, their filters and result counts",
	ref:  scriptDocs + "base/protocols/ldap/main.zeek.html#type-LDAP::SearchInfo",
	fields: `*ts:time *uid:string @id message_id:int scope:string deref_aliases:string base_object:string
		result_count:count result:string diagnostic_message:string filter:string attributes:vector[string]`,
	sample: `{"ts":1711965655.9,"uid":"CHwzTt3VaQpMmVpN84","id.orig_h":"10.0.0.41","id.orig_p":50122,"id.resp_h":"10.0.0.2","id.resp_p":389,"message_id":2,"scope":"tree","deref_aliases":"always","base_object":"dc=corp,dc=example,dc=com","result_count":57,"result":"success","filter":"(&(objectClass=user)(servicePrincipalName=*))","attributes":["sAMAccountName","servicePrincipalName"]}`,
})

// Modbus is Zeek.Modbus: modbus.log, Modbus commands and responses.
var Modbus = define(spec{
	path: "modbus", name: "Zeek.Modbus",
	desc:   "Zeek modbus.log: Modbus (SCADA) function calls and exceptions",
	ref:    scriptDocs + "base/protocols/modbus/main.zeek.html#type-Modbus::Info",
	fields: `*ts:time *uid:string @id tid:count unit:count func:string pdu_type:string exception:string`,
	sample: `{"ts":1711965656.2,"uid":"CJ8V7b2qUYm6n1rWz3","id.orig_h":"10.20.0.5","id.orig_p":50400,"id.resp_h":"10.20.0.9","id.resp_p":502,"tid":17,"unit":1,"func":"WRITE_SINGLE_REGISTER","pdu_type":"REQ"}`,
})

// ModbusRegisterChange is Zeek.ModbusRegisterChange:
// modbus_register_change.log, holding registers that changed.
var ModbusRegisterChange = define(spec{
	path: "modbus_register_change", name: "Zeek.ModbusRegisterChange",
	desc:   "Zeek modbus_register_change.log: changes of Modbus holding registers",
	ref:    scriptDocs + "policy/protocols/modbus/track-memmap.zeek.html#type-Modbus::MemmapInfo",
	fields: `*ts:time *uid:string @id *register:count *old_val:count *new_val:count *delta:interval`,
	sample: `{"ts":1711965656.9,"uid":"CJ8V7b2qUYm6n1rWz3","id.orig_h":"10.20.0.5","id.orig_p":50400,"id.resp_h":"10.20.0.9","id.resp_p":502,"register":40001,"old_val":1200,"new_val":3600,"delta":3600.5}`,
})

// MQTTConnect is Zeek.MQTTConnect: mqtt_connect.log, MQTT connections.
var MQTTConnect = define(spec{
	path: "mqtt_connect", name: "Zeek.MQTTConnect",
	desc: "Zeek mqtt_connect.log: MQTT connect requests and their status",
	ref:  scriptDocs + "base/protocols/mqtt/main.zeek.html#type-MQTT::ConnectInfo",
	fields: `*ts:time *uid:string @id proto_name:string proto_version:string client_id:string
		connect_status:string will_topic:string will_payload:string`,
	sample: `{"ts":1711965657.3,"uid":"CkXQ7s1l3pT8dCq0a1","id.orig_h":"10.30.0.12","id.orig_p":51883,"id.resp_h":"10.30.0.2","id.resp_p":1883,"proto_name":"MQTT","proto_version":"3.1.1","client_id":"sensor-hall-3","connect_status":"Connection Accepted"}`,
})

// MQTTPublish is Zeek.MQTTPublish: mqtt_publish.log, MQTT messages
// published.
var MQTTPublish = define(spec{
	path: "mqtt_publish", name: "Zeek.MQTTPublish",
	desc: "Zeek mqtt_publish.log: MQTT messages published",
	ref:  scriptDocs + "base/protocols/mqtt/main.zeek.html#type-MQTT::PublishInfo",
	fields: `*ts:time *uid:string @id *from_client:bool *retain:bool *qos:string *status:string
		*topic:string *payload:string *payload_len:count`,
	sample: `{"ts":1711965657.8,"uid":"CkXQ7s1l3pT8dCq0a1","id.orig_h":"10.30.0.12","id.orig_p":51883,"id.resp_h":"10.30.0.2","id.resp_p":1883,"from_client":true,"retain":false,"qos":"at least once","status":"ok","topic":"hall3/temperature","payload":"21.5","payload_len":4}`,
})

// MQTTSubscribe is Zeek.MQTTSubscribe: mqtt_subscribe.log, MQTT
// subscriptions.
var MQTTSubscribe = define(spec{
	path: "mqtt_subscribe", name: "Zeek.MQTTSubscribe",
	desc: "Zeek mqtt_subscribe.log: MQTT subscribe and unsubscribe requests",
	ref:  scriptDocs + "base/protocols/mqtt/main.zeek.html#type-MQTT::SubscribeInfo",
	fields: `*ts:time *uid:string @id *action:enum *topics:vector[string] qos_levels:vector[count]
		granted_qos_level:count *ack:bool`,
	sample: `{"ts":1711965658.1,"uid":"CkXQ7s1l3pT8dCq0a1","id.orig_h":"10.30.0.12","id.orig_p":51883,"id.resp_h":"10.30.0.2","id.resp_p":1883,"action":"MQTT::SUBSCRIBE","topics":["hall3/#"],"qos_levels":[1],"granted_qos_level":1,"ack":true}`,
})

// MySQL is Zeek.MySQL: mysql.log, MySQL commands.
var MySQL = define(spec{
	path: "mysql", name: "Zeek.MySQL",
	desc:   "Zeek mysql.log: MySQL commands and responses",
	ref:    scriptDocs + "base/protocols/mysql/main.zeek.html#type-MySQL::Info",
	fields: `*ts:time *uid:string @id *cmd:string *arg:string success:bool rows:count response:string`,
	sample: `{"ts":1711965658.6,"uid":"C5rKtW3wZ7oA1fUe9b","id.orig_h":"192.168.1.40","id.orig_p":49990,"id.resp_h":"192.168.1.25","id.resp_p":3306,"cmd":"query","arg":"SELECT * FROM customers LIMIT 100","success":true,"rows":100}`,
})

// PE is Zeek.PE: pe.log, Windows executables seen on the wire.
var PE = define(spec{
	path: "pe", name: "Zeek.PE",
	desc: "Zeek pe.log: Portable Executable files: machine, OS, compile time, sections",
	ref:  scriptDocs + "base/files/pe/main.zeek.html#type-PE::Info",
	fields: `*ts:time *id:string machine:string compile_ts:time os:string subsystem:string *is_exe:bool
		*is_64bit:bool *uses_aslr:bool *uses_dep:bool *uses_code_integrity:bool *uses_seh:bool
		has_import_table:bool has_export_table:bool has_cert_table:bool has_debug_data:bool
		section_names:vector[string]`,
	sample: `{"ts":1711965659.2,"id":"FQ8pnI1ZqXbAWhGSLa","machine":"AMD64","compile_ts":1704067200.0,"os":"Windows XP x64 or Server 2003","subsystem":"WINDOWS_GUI","is_exe":true,"is_64bit":true,"uses_aslr":true,"uses_dep":true,"uses_code_integrity":false,"uses_seh":true,"has_import_table":true,"has_export_table":false,"has_cert_table":false,"has_debug_data":true,"section_names":[".text",".rdata",".data",".pdata",".rsrc",".reloc"]}`,
})

// PostgreSQL is Zeek.PostgreSQL: postgresql.log, PostgreSQL sessions and
// commands.
var PostgreSQL = define(spec{
	path: "postgresql", name: "Zeek.PostgreSQL",
	desc: "Zeek postgresql.log: PostgreSQL logins and commands",
	ref:  scriptDocs + "base/protocols/postgresql/main.zeek.html#type-PostgreSQL::Info",
	fields: `*ts:time *uid:string @id user:string database:string application_name:string frontend:string
		frontend_arg:string backend:string backend_arg:string success:bool rows:count`,
	indicators: []ind{{"username", "user"}},
	sample:     `{"ts":1711965659.7,"uid":"CgVx8k2YQm1z5L3u7d","id.orig_h":"192.168.1.40","id.orig_p":50412,"id.resp_h":"192.168.1.26","id.resp_p":5432,"user":"reporting","database":"sales","application_name":"psql","frontend":"simple_query","frontend_arg":"SELECT count(*) FROM orders","backend":"command_complete","backend_arg":"SELECT 1","success":true,"rows":1}`,
})

// QUIC is Zeek.QUIC: quic.log, QUIC connections.
var QUIC = define(spec{
	path: "quic", name: "Zeek.QUIC",
	desc: "Zeek quic.log: QUIC handshakes: version, server name, ALPN",
	ref:  scriptDocs + "base/protocols/quic/main.zeek.html#type-QUIC::Info",
	fields: `*ts:time *uid:string @id *version:string client_initial_dcid:string client_scid:string
		server_scid:string server_name:string client_protocol:string *history:string`,
	indicators: []ind{{"domain", "server_name"}},
	sample:     `{"ts":1711965660.3,"uid":"CYtA9M3tJq1wFcZk3h","id.orig_h":"192.168.1.10","id.orig_p":60123,"id.resp_h":"142.250.80.46","id.resp_p":443,"version":"1","client_initial_dcid":"a7d1b3c95e2f4061","server_scid":"f3b21c9d","server_name":"www.example.com","client_protocol":"h3","history":"ISishIhHhhH"}`,
})

// RADIUS is Zeek.RADIUS: radius.log, RADIUS authentications.
var RADIUS = define(spec{
	path: "radius", name: "Zeek.RADIUS",
	desc: "Zeek radius.log: RADIUS authentication attempts and results",
	ref:  scriptDocs + "base/protocols/radius/main.zeek.html#type-RADIUS::Info",
	fields: `*ts:time *uid:string @id username:string mac:string framed_addr:addr tunnel_client:string
		connect_info:string reply_msg:string result:string ttl:interval`,
	indicators: []ind{{"username", "username"}, {"ip", "framed_addr"}},
	sample:     `{"ts":1711965660.9,"uid":"CU3xP91tzA5pL2oQy4","id.orig_h":"10.0.0.60","id.orig_p":41000,"id.resp_h":"10.0.0.3","id.resp_p":1812,"username":"alice","mac":"00:11:22:33:44:66","result":"success","ttl":0.004112}`,
})

// Redis is Zeek.Redis: redis.log, Redis commands.
var Redis = define(spec{
	path: "redis", name: "Zeek.Redis",
	desc: "Zeek redis.log: Redis commands and replies",
	ref:  scriptDocs + "base/protocols/redis/main.zeek.html#type-Redis::Info",
	fields: `*ts:time *uid:string @id *cmd.name:string cmd.key:string cmd.value:string success:bool
		reply.value:string`,
	sample: `{"ts":1711965661.4,"uid":"Cq3jWb1uXm0KcT7aZf","id.orig_h":"192.168.1.40","id.orig_p":50610,"id.resp_h":"192.168.1.27","id.resp_p":6379,"cmd.name":"CONFIG","cmd.key":"SET","cmd.value":"dir /var/spool/cron","success":true,"reply.value":"OK"}`,
})

// RFB is Zeek.RFB: rfb.log, VNC (Remote Framebuffer) sessions.
var RFB = define(spec{
	path: "rfb", name: "Zeek.RFB",
	desc: "Zeek rfb.log: VNC sessions: versions, authentication, desktop",
	ref:  scriptDocs + "base/protocols/rfb/main.zeek.html#type-RFB::Info",
	fields: `*ts:time *uid:string @id client_major_version:string client_minor_version:string
		server_major_version:string server_minor_version:string authentication_method:string auth:bool
		share_flag:bool desktop_name:string width:count height:count`,
	sample: `{"ts":1711965661.9,"uid":"CrB4cH2nWq8tX1pVe6","id.orig_h":"198.51.100.9","id.orig_p":52011,"id.resp_h":"192.168.1.31","id.resp_p":5900,"client_major_version":"003","client_minor_version":"008","server_major_version":"003","server_minor_version":"008","authentication_method":"VNC","auth":true,"share_flag":false,"desktop_name":"plant-hmi","width":1280,"height":800}`,
})

// SMBCmd is Zeek.SMBCmd: smb_cmd.log, SMB commands (a policy script).
var SMBCmd = define(spec{
	path: "smb_cmd", name: "Zeek.SMBCmd",
	desc: "Zeek smb_cmd.log: SMB commands with their status and the file or tree they name",
	ref:  scriptDocs + "base/protocols/smb/main.zeek.html#type-SMB::CmdInfo",
	fields: `*ts:time *uid:string @id *command:string sub_command:string argument:string status:string
		rtt:interval *version:string username:string tree:string tree_service:string
		referenced_file.ts:time referenced_file.uid:string referenced_file.id.orig_h:addr
		referenced_file.id.orig_p:port referenced_file.id.resp_h:addr referenced_file.id.resp_p:port
		referenced_file.fuid:string referenced_file.action:enum referenced_file.path:string
		referenced_file.name:string referenced_file.size:count referenced_file.prev_name:string
		referenced_file.times.modified:time referenced_file.times.accessed:time
		referenced_file.times.created:time referenced_file.times.changed:time
		referenced_file.data_offset_req:count referenced_file.data_len_req:count
		referenced_file.data_len_rsp:count`,
	indicators: []ind{{"username", "username"}},
	sample:     `{"ts":1711965662.5,"uid":"C6WWAQ2G8MqT1hrQHd","id.orig_h":"10.0.0.41","id.orig_p":41717,"id.resp_h":"10.0.0.8","id.resp_p":445,"command":"CREATE","argument":"report.docx","status":"SUCCESS","rtt":0.000712,"version":"SMB2","tree":"\\\\fs1\\share","tree_service":"DISK","referenced_file.ts":1711965662.5,"referenced_file.uid":"C6WWAQ2G8MqT1hrQHd","referenced_file.id.orig_h":"10.0.0.41","referenced_file.id.orig_p":41717,"referenced_file.id.resp_h":"10.0.0.8","referenced_file.id.resp_p":445,"referenced_file.action":"SMB::FILE_OPEN","referenced_file.path":"\\\\fs1\\share","referenced_file.name":"report.docx","referenced_file.size":24576,"referenced_file.times.modified":1711900000.25}`,
})

// SNMP is Zeek.SNMP: snmp.log, SNMP sessions.
var SNMP = define(spec{
	path: "snmp", name: "Zeek.SNMP",
	desc: "Zeek snmp.log: SNMP sessions: version, community, request counts",
	ref:  scriptDocs + "base/protocols/snmp/main.zeek.html#type-SNMP::Info",
	fields: `*ts:time *uid:string @id *duration:interval *version:string community:string
		*get_requests:count *get_bulk_requests:count *get_responses:count *set_requests:count
		display_string:string up_since:time`,
	sample: `{"ts":1711965663.0,"uid":"CtN2hW3Rf8pB0yQx7c","id.orig_h":"192.168.1.99","id.orig_p":50161,"id.resp_h":"192.168.1.1","id.resp_p":161,"duration":0.012004,"version":"2c","community":"public","get_requests":3,"get_bulk_requests":0,"get_responses":3,"set_requests":0,"display_string":"RouterOS RB4011","up_since":1711000000.0}`,
})

// SOCKS is Zeek.SOCKS: socks.log, SOCKS proxy requests.
var SOCKS = define(spec{
	path: "socks", name: "Zeek.SOCKS",
	desc: "Zeek socks.log: SOCKS proxy requests and the addresses they reach",
	ref:  scriptDocs + "base/protocols/socks/main.zeek.html#type-SOCKS::Info",
	fields: `*ts:time *uid:string @id *version:count user:string password:string status:string
		request.host:addr request.name:string request_p:port bound.host:addr bound.name:string bound_p:port`,
	indicators: []ind{{"ip", "request.host", "bound.host"}, {"domain", "request.name", "bound.name"}, {"username", "user"}},
	sample:     `{"ts":1711965663.6,"uid":"CwP1oZ4kT3xQ9mVb2e","id.orig_h":"192.168.1.10","id.orig_p":52200,"id.resp_h":"192.168.1.5","id.resp_p":1080,"version":5,"status":"succeeded","request.name":"cdn-telemetry.example.net","request_p":443,"bound.host":"0.0.0.0","bound_p":0}`,
})

// WebSocket is Zeek.WebSocket: websocket.log, WebSocket handshakes.
var WebSocket = define(spec{
	path: "websocket", name: "Zeek.WebSocket",
	desc: "Zeek websocket.log: WebSocket handshakes",
	ref:  scriptDocs + "base/protocols/websocket/main.zeek.html#type-WebSocket::Info",
	fields: `*ts:time *uid:string @id host:string uri:string user_agent:string subprotocol:string
		client_protocols:vector[string] server_extensions:vector[string] client_extensions:vector[string]`,
	indicators: []ind{{"hostname", "host"}},
	sample:     `{"ts":1711965664.2,"uid":"CbL6rV2nXy4qT8wZe1","id.orig_h":"192.168.1.10","id.orig_p":52311,"id.resp_h":"93.184.216.34","id.resp_p":80,"host":"chat.example.com","uri":"/socket","user_agent":"Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0","subprotocol":"chat","client_protocols":["chat","superchat"],"server_extensions":["permessage-deflate"],"client_extensions":["permessage-deflate; client_max_window_bits"]}`,
})
