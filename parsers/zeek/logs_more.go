package zeek

// The other logs of a stock Zeek install (Zeek's "Log Files" reference:
// protocols, files, NetControl, detection, observations and Zeek's own
// diagnostics), read off the Info records of the scripts that write them,
// written as in logs.go.

// Analyzer is Zeek.Analyzer: analyzer.log, analyzer violations (Zeek 7 and
// later; dpd.log before).
var Analyzer = define(spec{
	path: "analyzer", name: "Zeek.Analyzer",
	desc: "Zeek analyzer.log: protocol, packet and file analyzer violations",
	ref:  scriptDocs + "base/frameworks/analyzer/logging.zeek.html#type-Analyzer::Logging::Info",
	fields: `*ts:time *analyzer_kind:string *analyzer_name:string uid:string fuid:string @id? proto:enum
		*failure_reason:string failure_data:string packet_segment:string`,
	sample: `{"ts":1711965630.112344,"analyzer_kind":"protocol","analyzer_name":"SSL","uid":"CvqG2s3SJRe9Gt0qv5","id.orig_h":"192.168.1.10","id.orig_p":50213,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","failure_reason":"Invalid version late in TLS connection. Packet reported version: 0","failure_data":"\\x16\\x03\\x00"}`,
})

// AnalyzerDebug is Zeek.AnalyzerDebug: analyzer_debug.log, analyzer
// confirmations, violations and disablings.
var AnalyzerDebug = define(spec{
	path: "analyzer_debug", name: "Zeek.AnalyzerDebug",
	desc: "Zeek analyzer_debug.log: analyzer confirmations, violations and disablings",
	ref:  scriptDocs + "policy/frameworks/analyzer/debug-logging.zeek.html#type-Analyzer::DebugLogging::Info",
	fields: `*ts:time *cause:string *analyzer_kind:string *analyzer_name:string uid:string fuid:string @id?
		failure_reason:string failure_data:string`,
	sample: `{"ts":1711965631.20001,"cause":"confirmation","analyzer_kind":"protocol","analyzer_name":"HTTP","uid":"CbM5Xv1yx3vHM8mUVh","id.orig_h":"192.168.1.10","id.orig_p":51240,"id.resp_h":"93.184.216.34","id.resp_p":80}`,
})

// Broker is Zeek.Broker: broker.log, peerings of Zeek's communication layer.
var Broker = define(spec{
	path: "broker", name: "Zeek.Broker",
	desc:   "Zeek broker.log: Broker peering status and errors",
	ref:    scriptDocs + "base/frameworks/broker/log.zeek.html#type-Broker::Info",
	fields: `*ts:time *ty:enum *ev:string peer.address:string peer.bound_port:port message:string`,
	enums:  map[string]string{"ty": "Broker::"},
	sample: `{"ts":1711965632.0,"ty":"Broker::STATUS","ev":"peer-added","peer.address":"10.0.0.2","peer.bound_port":27761,"message":"handshake successful"}`,
})

// Cluster is Zeek.Cluster: cluster.log, the cluster framework's messages.
var Cluster = define(spec{
	path: "cluster", name: "Zeek.Cluster",
	desc:     "Zeek cluster.log: messages of the cluster framework",
	ref:      scriptDocs + "base/frameworks/cluster/main.zeek.html#type-Cluster::Info",
	fields:   `*ts:time *node:string *message:string`,
	pathOnly: true,
	sample:   `{"_path":"cluster","ts":1711965633.5,"node":"worker-1","message":"got hello from manager (F4C5C7E1A2B3)"}`,
})

// Config is Zeek.Config: config.log, changes of configuration options.
var Config = define(spec{
	path: "config", name: "Zeek.Config",
	desc:   "Zeek config.log: configuration option changes",
	ref:    scriptDocs + "base/frameworks/config/main.zeek.html#type-Config::Info",
	fields: `*ts:time *id:string *old_value:string *new_value:string location:string`,
	sample: `{"ts":1711965634.0,"id":"Site::local_nets","old_value":"{}","new_value":"{10.0.0.0/8,192.168.0.0/16}","location":"/opt/zeek/etc/networks.cfg"}`,
})

// DNP3 is Zeek.DNP3: dnp3.log, DNP3 requests and replies.
var DNP3 = define(spec{
	path: "dnp3", name: "Zeek.DNP3",
	desc:   "Zeek dnp3.log: DNP3 (SCADA) requests and replies",
	ref:    scriptDocs + "base/protocols/dnp3/main.zeek.html#type-DNP3::Info",
	fields: `*ts:time *uid:string @id fc_request:string fc_reply:string iin:count`,
	sample: `{"ts":1711965635.11,"uid":"CXWv6p3arKYeMETxOg","id.orig_h":"10.20.0.5","id.orig_p":50300,"id.resp_h":"10.20.0.9","id.resp_p":20000,"fc_request":"READ","fc_reply":"RESPONSE","iin":0}`,
})

// Intel is Zeek.Intel: intel.log, matches of the intelligence framework.
var Intel = define(spec{
	path: "intel", name: "Zeek.Intel",
	desc: "Zeek intel.log: traffic that matched loaded intelligence",
	ref:  scriptDocs + "base/frameworks/intel/main.zeek.html#type-Intel::Info",
	fields: `*ts:time uid:string @id? seen.indicator:string seen.indicator_type:enum *seen.where:enum
		seen.node:string *matched:set[enum] *sources:set[string] fuid:string file_mime_type:string
		file_desc:string`,
	indicators: []ind{{"hostname", "seen.indicator"}, {"hash", "seen.indicator"}, {"email", "seen.indicator"}},
	sample:     `{"ts":1711965636.3,"uid":"CHdNs63V7JoVhoWqGk","id.orig_h":"192.168.1.10","id.orig_p":53211,"id.resp_h":"192.168.1.1","id.resp_p":53,"seen.indicator":"cdn-telemetry.example.net","seen.indicator_type":"Intel::DOMAIN","seen.where":"DNS::IN_REQUEST","seen.node":"worker-1","matched":["Intel::DOMAIN"],"sources":["abuse-feed"]}`,
})

// KnownCerts is Zeek.KnownCerts: known_certs.log, server certificates of
// local hosts, once a day each.
var KnownCerts = define(spec{
	path: "known_certs", name: "Zeek.KnownCerts",
	desc:       "Zeek known_certs.log: certificates local servers present",
	ref:        scriptDocs + "policy/protocols/ssl/known-certs.zeek.html#type-Known::CertsInfo",
	fields:     `*ts:time *host:addr port_num:port subject:string issuer_subject:string serial:string`,
	indicators: []ind{{"ip", "host"}},
	sample:     `{"ts":1711965637.0,"host":"192.168.1.20","port_num":443,"subject":"CN=intranet.corp.example.com","issuer_subject":"CN=Example Corp Issuing CA,O=Example Corp","serial":"5A1F0C33D2E4"}`,
})

// KnownModbus is Zeek.KnownModbus: known_modbus.log, Modbus masters and
// slaves seen.
var KnownModbus = define(spec{
	path: "known_modbus", name: "Zeek.KnownModbus",
	desc:       "Zeek known_modbus.log: Modbus masters and slaves",
	ref:        scriptDocs + "policy/protocols/modbus/known-masters-slaves.zeek.html#type-Known::ModbusInfo",
	fields:     `*ts:time *host:addr *device_type:enum`,
	enums:      map[string]string{"device_type": "Known::"},
	indicators: []ind{{"ip", "host"}},
	sample:     `{"ts":1711965638.0,"host":"10.20.0.9","device_type":"Known::MODBUS_SLAVE"}`,
})

// KnownServices is Zeek.KnownServices: known_services.log, services local
// hosts offer, once a day each.
var KnownServices = define(spec{
	path: "known_services", name: "Zeek.KnownServices",
	desc:       "Zeek known_services.log: services offered by local hosts",
	ref:        scriptDocs + "policy/protocols/conn/known-services.zeek.html#type-Known::ServicesInfo",
	fields:     `*ts:time *host:addr *port_num:port *port_proto:enum *service:set[string]`,
	indicators: []ind{{"ip", "host"}},
	sample:     `{"ts":1711965639.0,"host":"192.168.1.20","port_num":22,"port_proto":"tcp","service":["SSH"]}`,
})

// LoadedScripts is Zeek.LoadedScripts: loaded_scripts.log, the scripts Zeek
// loaded at start (no time: p_event_time is the parse time).
var LoadedScripts = define(spec{
	path: "loaded_scripts", name: "Zeek.LoadedScripts",
	desc:     "Zeek loaded_scripts.log: the scripts loaded at start",
	ref:      scriptDocs + "policy/misc/loaded-scripts.zeek.html#type-LoadedScripts::Info",
	fields:   `*name:string`,
	pathOnly: true,
	sample:   `{"_path":"loaded_scripts","name":"/opt/zeek/share/zeek/base/init-bare.zeek"}`,
})

// NetControl is Zeek.NetControl: netcontrol.log, NetControl rule actions.
var NetControl = define(spec{
	path: "netcontrol", name: "Zeek.NetControl",
	desc: "Zeek netcontrol.log: NetControl rules added, removed and failed",
	ref:  scriptDocs + "base/frameworks/netcontrol/main.zeek.html#type-NetControl::Info",
	fields: `*ts:time rule_id:string category:enum cmd:string state:enum action:string target:enum
		entity_type:string entity:string mod:string msg:string priority:int expire:interval location:string
		plugin:string`,
	pathOnly: true,
	sample:   `{"_path":"netcontrol","ts":1711965640.0,"rule_id":"2","category":"NetControl::RULE","cmd":"add","state":"NetControl::REQUESTED","action":"NetControl::DROP","target":"NetControl::FORWARD","entity_type":"NetControl::ADDRESS","entity":"203.0.113.66/32","mod":"","msg":"","priority":0,"expire":600.0,"location":"scan detected","plugin":"Debug-All"}`,
})

// NetControlCatchRelease is Zeek.NetControlCatchRelease:
// netcontrol_catch_release.log, catch-and-release blocking.
var NetControlCatchRelease = define(spec{
	path: "netcontrol_catch_release", name: "Zeek.NetControlCatchRelease",
	desc: "Zeek netcontrol_catch_release.log: addresses blocked, released and seen again",
	ref:  scriptDocs + "policy/frameworks/netcontrol/catch-and-release.zeek.html#type-NetControl::CatchReleaseInfo",
	fields: `*ts:time rule_id:string *ip:addr *action:enum block_interval:interval watch_interval:interval
		blocked_until:time watched_until:time num_blocked:count location:string message:string plugin:string`,
	enums:      map[string]string{"action": "NetControl::"},
	indicators: []ind{{"ip", "ip"}},
	sample:     `{"ts":1711965641.0,"rule_id":"3","ip":"203.0.113.66","action":"NetControl::DROP_REQUESTED","block_interval":600.0,"watch_interval":3600.0,"blocked_until":1711966241.0,"watched_until":1711969241.0,"num_blocked":1,"location":"scan detected"}`,
})

// NetControlDrop is Zeek.NetControlDrop: netcontrol_drop.log, connections
// and addresses dropped.
var NetControlDrop = define(spec{
	path: "netcontrol_drop", name: "Zeek.NetControlDrop",
	desc: "Zeek netcontrol_drop.log: addresses and connections dropped",
	ref:  scriptDocs + "base/frameworks/netcontrol/drop.zeek.html#type-NetControl::DropInfo",
	fields: `*ts:time *rule_id:string *orig_h:addr orig_p:port resp_h:addr resp_p:port *expire:interval
		location:string`,
	indicators: []ind{{"ip", "orig_h", "resp_h"}},
	sample:     `{"ts":1711965642.0,"rule_id":"2","orig_h":"203.0.113.66","expire":600.0,"location":"scan detected"}`,
})

// NetControlShunt is Zeek.NetControlShunt: netcontrol_shunt.log, flows
// shunted.
var NetControlShunt = define(spec{
	path: "netcontrol_shunt", name: "Zeek.NetControlShunt",
	desc: "Zeek netcontrol_shunt.log: flows shunted away from Zeek",
	ref:  scriptDocs + "base/frameworks/netcontrol/shunt.zeek.html#type-NetControl::ShuntInfo",
	fields: `*ts:time *rule_id:string *f.src_h:addr *f.src_p:port *f.dst_h:addr *f.dst_p:port
		*expire:interval location:string`,
	indicators: []ind{{"ip", "f.src_h", "f.dst_h"}},
	sample:     `{"ts":1711965643.0,"rule_id":"4","f.src_h":"192.168.1.50","f.src_p":49822,"f.dst_h":"198.51.100.80","f.dst_p":443,"expire":3600.0,"location":"large transfer"}`,
})

// noticeFields are notice.log's columns, which notice_alarm.log shares.
const noticeFields = `*ts:time uid:string @id? fuid:string file_mime_type:string file_desc:string proto:enum *note:enum
	msg:string sub:string src:addr dst:addr p:port n:count peer_name:string peer_descr:string
	*actions:set[enum] email_dest:set[string] *suppress_for:interval dropped:bool
	remote_location.country_code:string remote_location.region:string remote_location.city:string
	remote_location.latitude:double remote_location.longitude:double`

// NoticeAlarm is Zeek.NoticeAlarm: notice_alarm.log, notices raised with
// Notice::ACTION_ALARM (the fields of notice.log).
var NoticeAlarm = define(spec{
	path: "notice_alarm", name: "Zeek.NoticeAlarm",
	// Its fields are notice.log's: without a path, a record is a notice.
	pathOnly:   true,
	desc:       "Zeek notice_alarm.log: notices raised as alarms",
	ref:        scriptDocs + "base/frameworks/notice/main.zeek.html#type-Notice::Info",
	fields:     noticeFields,
	indicators: []ind{{"ip", "src", "dst"}, {"email", "email_dest"}},
	sample:     `{"_path":"notice_alarm","ts":1711965644.1,"uid":"CnT7Ut1w2bdrQqb2bc","id.orig_h":"203.0.113.66","id.orig_p":55123,"id.resp_h":"192.168.1.30","id.resp_p":22,"proto":"tcp","note":"SSH::Password_Guessing","msg":"203.0.113.66 appears to be guessing SSH passwords (seen in 30 connections).","sub":"Sampled servers:  192.168.1.30","src":"203.0.113.66","actions":["Notice::ACTION_ALARM","Notice::ACTION_LOG"],"email_dest":[],"suppress_for":3600.0}`,
})

// OpenFlow is Zeek.OpenFlow: openflow.log, flow modifications sent to
// OpenFlow switches.
var OpenFlow = define(spec{
	path: "openflow", name: "Zeek.OpenFlow",
	desc: "Zeek openflow.log: OpenFlow flow modifications",
	ref:  scriptDocs + "base/frameworks/openflow/plugins/log.zeek.html#type-OpenFlow::Info",
	fields: `*ts:time *dpid:count match.in_port:count match.dl_src:string match.dl_dst:string
		match.dl_vlan:count match.dl_vlan_pcp:count match.dl_type:count match.nw_tos:count match.nw_proto:count
		match.nw_src:subnet match.nw_dst:subnet match.tp_src:count match.tp_dst:count flow_mod.cookie:count
		flow_mod.table_id:count flow_mod.command:enum flow_mod.idle_timeout:count flow_mod.hard_timeout:count
		flow_mod.priority:count flow_mod.out_port:count flow_mod.out_group:count flow_mod.flags:count
		flow_mod.actions.out_ports:vector[count] flow_mod.actions.vlan_vid:count flow_mod.actions.vlan_pcp:count
		flow_mod.actions.vlan_strip:bool flow_mod.actions.dl_src:string flow_mod.actions.dl_dst:string
		flow_mod.actions.nw_tos:count flow_mod.actions.nw_src:addr flow_mod.actions.nw_dst:addr
		flow_mod.actions.tp_src:count flow_mod.actions.tp_dst:count`,
	sample: `{"ts":1711965645.0,"dpid":42,"match.dl_type":2048,"match.nw_proto":6,"match.nw_src":"203.0.113.66/32","flow_mod.cookie":4398046511106,"flow_mod.command":"OpenFlow::OFPFC_ADD","flow_mod.idle_timeout":0,"flow_mod.hard_timeout":600,"flow_mod.priority":0,"flow_mod.flags":0,"flow_mod.actions.out_ports":[]}`,
})

// PacketFilter is Zeek.PacketFilter: packet_filter.log, the BPF filters
// Zeek installed.
var PacketFilter = define(spec{
	path: "packet_filter", name: "Zeek.PacketFilter",
	desc:   "Zeek packet_filter.log: packet filters installed",
	ref:    scriptDocs + "base/frameworks/packet-filter/main.zeek.html#type-PacketFilter::Info",
	fields: `*ts:time node:string *filter:string *init:bool *success:bool failure_reason:string`,
	sample: `{"ts":1711965646.0,"node":"worker-1","filter":"ip or not ip","init":true,"success":true}`,
})

// Print is Zeek.Print: print.log, the output of print statements when
// Log::print_to_log redirects it.
var Print = define(spec{
	path: "print", name: "Zeek.Print",
	desc:     "Zeek print.log: print statements of scripts",
	ref:      scriptDocs + "base/frameworks/logging/main.zeek.html#type-Log::PrintLogInfo",
	fields:   `*ts:time *vals:vector[string]`,
	pathOnly: true,
	sample:   `{"_path":"print","ts":1711965647.0,"vals":["local script loaded","v1.2"]}`,
})

// Signatures is Zeek.Signatures: signatures.log, matches of Zeek's
// signature engine.
var Signatures = define(spec{
	path: "signatures", name: "Zeek.Signatures",
	desc: "Zeek signatures.log: signature matches",
	ref:  scriptDocs + "base/frameworks/signatures/main.zeek.html#type-Signatures::Info",
	fields: `*ts:time uid:string src_addr:addr src_port:port dst_addr:addr dst_port:port *note:enum
		sig_id:string event_msg:string sub_msg:string sig_count:count host_count:count`,
	enums:      map[string]string{"note": "Signatures::"},
	indicators: []ind{{"ip", "src_addr", "dst_addr"}},
	sample:     `{"ts":1711965648.2,"uid":"CQ9r4v1xZxU8yW0Zd3","src_addr":"192.168.1.10","src_port":51244,"dst_addr":"198.51.100.80","dst_port":80,"note":"Signatures::Sensitive_Signature","sig_id":"http-etc-passwd","event_msg":"192.168.1.10: /etc/passwd in HTTP response","sub_msg":"root:x:0:0:root:/root:/bin/bash"}`,
})

// Telemetry is Zeek.Telemetry: telemetry.log, Zeek's metrics.
var Telemetry = define(spec{
	path: "telemetry", name: "Zeek.Telemetry",
	desc: "Zeek telemetry.log: Zeek's counters and gauges",
	ref:  scriptDocs + "policy/frameworks/telemetry/log.zeek.html#type-Telemetry::Info",
	fields: `*ts:time *peer:string *metric_type:string *name:string *labels:vector[string]
		*label_values:vector[string] *value:double`,
	sample: `{"ts":1711965649.0,"peer":"worker-1","metric_type":"counter","name":"zeek_log_writes_total","labels":["endpoint","module","stream"],"label_values":["worker-1","Conn","Conn::LOG"],"value":1204.0}`,
})

// TelemetryHistogram is Zeek.TelemetryHistogram: telemetry_histogram.log,
// Zeek's histogram metrics.
var TelemetryHistogram = define(spec{
	path: "telemetry_histogram", name: "Zeek.TelemetryHistogram",
	desc: "Zeek telemetry_histogram.log: Zeek's histograms",
	ref:  scriptDocs + "policy/frameworks/telemetry/log.zeek.html#type-Telemetry::HistogramInfo",
	fields: `*ts:time *peer:string *name:string *labels:vector[string] *label_values:vector[string]
		*bounds:vector[double] *values:vector[double] *sum:double *observations:double`,
	sample: `{"ts":1711965650.0,"peer":"worker-1","name":"zeek_event_handler_invocations_seconds","labels":["endpoint"],"label_values":["worker-1"],"bounds":[0.001,0.01,0.1],"values":[950.0,40.0,2.0],"sum":1.25,"observations":992.0}`,
})

// Traceroute is Zeek.Traceroute: traceroute.log, hosts seen running
// traceroute.
var Traceroute = define(spec{
	path: "traceroute", name: "Zeek.Traceroute",
	desc:       "Zeek traceroute.log: traceroutes detected",
	ref:        scriptDocs + "policy/misc/detect-traceroute/main.zeek.html#type-Traceroute::Info",
	fields:     `*ts:time *src:addr *dst:addr *proto:string`,
	indicators: []ind{{"ip", "src", "dst"}},
	sample:     `{"ts":1711965651.0,"src":"192.168.1.10","dst":"198.51.100.1","proto":"udp"}`,
})

// UnknownProtocols is Zeek.UnknownProtocols: unknown_protocols.log,
// protocols below IP that no packet analyzer knows.
var UnknownProtocols = define(spec{
	path: "unknown_protocols", name: "Zeek.UnknownProtocols",
	desc: "Zeek unknown_protocols.log: link-layer protocols no analyzer handles",
	ref:  scriptDocs + "policy/misc/unknown-protocols.zeek.html#type-UnknownProtocol::Info",
	fields: `*ts:time *analyzer:string *protocol_id:string protocol_id_num:count *first_bytes:string
		*analyzer_history:vector[string]`,
	sample: `{"ts":1711965652.0,"analyzer":"ETHERNET","protocol_id":"0x88CC","first_bytes":"0207040011223344","analyzer_history":["ETHERNET"]}`,
})

// WeirdStats is Zeek.WeirdStats: weird_stats.log, counts of weirds.
var WeirdStats = define(spec{
	path: "weird_stats", name: "Zeek.WeirdStats",
	desc:   "Zeek weird_stats.log: how often each weird was seen",
	ref:    scriptDocs + "policy/misc/weird-stats.zeek.html#type-WeirdStats::Info",
	fields: `*ts:time *name:string *num_seen:count`,
	sample: `{"ts":1711965653.0,"name":"bad_TCP_checksum","num_seen":12}`,
})
