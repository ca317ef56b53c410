package engine

import (
	"slices"

	"panther/alerts/rules"
	"panther/parsers/custom"
	"panther/schema"
)

// The schema of the detection specs (package schema writes it as JSON
// Schema; panther fmt orders keys by it). The keys of each kind are the
// decoder's own lists (specKeys, requiredKeys, testKeys...): the tables
// here add the canonical order, the type and the meaning of each key, and
// TestSchemaAgrees fails when a key is added to one and not the other.

// SchemaOptions are the values the enums of the schema list.
type SchemaOptions struct {
	// LogTypes are the log type names LogTypes may hold (the registry's);
	// Custom.* names are accepted besides.
	LogTypes []string
	// ResourceTypes are the resource types of policies (package scan's).
	ResourceTypes []string
}

var severityEnum = []string{"Info", "Low", "Medium", "High", "Critical", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

func strKey(name, doc string) schema.Key {
	return schema.Key{Name: name, Type: schema.String, Doc: doc}
}

func listKey(name, doc string) schema.Key {
	return schema.Key{Name: name, Type: schema.Array, Doc: doc, Items: &schema.Key{Type: schema.String}}
}

func boolKey(name, doc string) schema.Key {
	return schema.Key{Name: name, Type: schema.Boolean, Doc: doc}
}

// specDocs holds every key the decoder knows, by its path (Tests.Mocks.objectName).
func specDocs(o SchemaOptions) map[string]schema.Key {
	logTypes := &schema.Key{Type: schema.String, Enum: schema.Sorted(o.LogTypes), Open: true,
		Pattern: `^Custom\.[A-Za-z0-9_.]+$`}
	if len(o.LogTypes) == 0 {
		logTypes = &schema.Key{Type: schema.String}
	}
	resourceTypes := &schema.Key{Type: schema.String}
	if len(o.ResourceTypes) > 0 {
		resourceTypes.Enum = schema.Sorted(o.ResourceTypes)
	}
	mitre := &schema.Key{Type: schema.String, Pattern: mitreRe.String()}
	docs := []schema.Key{
		{Name: "AnalysisType", Type: schema.String, Doc: "What this spec is."},
		strKey("RuleID", "The detection's unique ID, like AWS.CloudTrail.Stopped: alerts, tests, packs and --run name it."),
		strKey("PolicyID", "The policy's unique ID, like AWS.S3.Bucket.PublicRead."),
		strKey("GlobalID", "The helper's name: detections load it with require(\"GlobalID\")."),
		strKey("DataModelID", "The data model's unique ID."),
		strKey("PackID", "The pack's unique ID: its zip is named after it and the backend keeps its versions."),
		strKey("QueryName", "The query's unique name: panther search --query NAME runs it."),
		strKey("DisplayName", "A title for people: the alert title when the Lua has no title() function."),
		boolKey("Enabled", "false keeps the spec in the repository but out of replay, serve and packs (its tests still run)."),
		strKey("Filename", "The Lua file beside this spec (rule(event) or policy(resource), and the optional title, dedup, severity, alert_context...)."),
		{Name: "LogTypes", Type: schema.Array, Doc: "The log types whose events this detection sees (a data model: the log types it maps).", Items: logTypes},
		{Name: "ResourceTypes", Type: schema.Array, Doc: "The resource types this policy checks (panther resourcetypes lists them).", Items: resourceTypes},
		listKey("ScheduledQueries", "The scheduled queries (QueryName) whose rows this scheduled rule sees as events."),
		{Name: "Severity", Type: schema.String, Enum: severityEnum, Doc: "The alert's severity, unless severity() says otherwise."},
		strKey("Description", "What this detects (or holds) and why it matters, for the responder."),
		strKey("Runbook", "What to do with an alert: numbered steps, the searches to run."),
		strKey("Reference", "A link to the documentation of what is detected."),
		listKey("Tags", "Free labels: panther test --filter Tags=... selects by them."),
		{Name: "Reports", Type: schema.Object, Doc: "Frameworks and their entries, like MITRE ATT&CK: [\"TA0005:T1562.008\"].",
			Keys:   []schema.Key{{Name: "MITRE ATT&CK", Type: schema.Array, Doc: "tactic:technique ids, like TA0005:T1562.008.", Items: mitre}},
			Values: &schema.Key{Type: schema.Array, Items: &schema.Key{Type: schema.String}}},
		listKey("SummaryAttributes", "Event fields shown with the alert (dotted paths)."),
		{Name: "DedupPeriodMinutes", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(7 * 24 * 60),
			Doc: "Matches with one dedup string within this many minutes of an alert's first event join it (default 60)."},
		{Name: "Threshold", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(1_000_000),
			Doc: "An alert is raised once this many events match within the dedup period (default 1)."},
		strKey("ThresholdDistinct", "Threshold counts distinct values of this field path (or p_any_* list) among an alert's events, not events."),
		listKey("GroupBy", "Field paths whose values make the default dedup string (when there is no dedup())."),
		{Name: "FirstSeen", Type: schema.Object, Required: []string{"Fields"},
			Doc: "The rule matches only when the value of Fields is new for its By key: not among the values of the events that passed rule() for that key within HistoryMinutes before it (new terms)."},
		listKey("FirstSeen.Fields", "The field paths (or p_any_* lists, p_alert_context.<path>) whose values, together, must be new; a list gives each of its values."),
		listKey("FirstSeen.By", "The field paths whose values make the key the history is kept for (the account, the user); none: one history for the rule."),
		{Name: "FirstSeen.HistoryMinutes", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(MaxFirstSeenMinutes),
			Doc: "A value seen more than this many minutes of event time before is new again (default 43200: 30 days)."},
		{Name: "FirstSeen.LearnMinutes", Type: schema.Integer, Min: schema.Range(0), Max: schema.Range(MaxFirstSeenMinutes),
			Doc: "For this many minutes of event time from the start of the stream the rule records values without matching (default 1440: a day)."},
		listKey("OutputIds", "The destinations an alert goes to, unless destinations() says otherwise."),
		boolKey("CreateAlert", "false records the matches without raising alerts (a signal for correlation rules)."),
		listKey("Suppressions", "Resource ids (glob patterns) this policy does not check."),
		{Name: "Mappings", Type: schema.Array, Doc: "The names this data model gives, each mapped to a field path or a Lua method.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Name"}}},
		strKey("Mappings.Name", "The name detections use: event:udm(\"Name\")."),
		strKey("Mappings.Path", "A field path (userIdentity.arn) or a JSONPath ($.a.b[0])."),
		strKey("Mappings.Method", "A Lua function of the data model's Filename that takes the event."),
		{Name: "PackDefinition", Type: schema.Object, Doc: "What the pack holds.", Required: []string{"IDs"}},
		listKey("PackDefinition.IDs", "The IDs of the detections, helpers, data models and queries of the pack (their dependencies are added)."),
		strKey("PackDefinitionType", "Accepted for compatibility with Panther's format; not used."),
		strKey("Query", "The SQL, run by DuckDB over the lake's tables."),
		{Name: "Schedule", Type: schema.Object, Doc: "When the scheduled query runs."},
		{Name: "Schedule.RateMinutes", Type: schema.Integer, Doc: "Run every this many minutes."},
		strKey("Schedule.CronExpression", "Run on this cron schedule (instead of RateMinutes)."),
		{Name: "Schedule.TimeoutMinutes", Type: schema.Integer, Doc: "Stop a run after this many minutes."},
		boolKey("Lookback", "Accepted for compatibility with Panther's format."),
		{Name: "LookbackWindowSeconds", Type: schema.Integer, Doc: "Accepted for compatibility with Panther's format."},
		{Name: "Tests", Type: schema.Array, Doc: "Unit tests: an event (or resource) and whether the detection matches it. Each runs in a fresh Lua environment.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Name", "ExpectedResult"}}},
		strKey("Tests.Name", "The test's name, unique in this spec: panther test --run and panther debug name it."),
		boolKey("Tests.ExpectedResult", "Whether rule() (or policy()) returns true for this event."),
		{Name: "Tests.Log", Type: schema.Object, Doc: "The event, as the parser would give it (the standard p_ fields are added).", Values: &schema.Key{}},
		{Name: "Tests.History", Type: schema.Array, Doc: "For a rule with FirstSeen (ours): the events before Log, oldest first; those that pass rule() make their values seen (no learning period in a test).",
			Items: &schema.Key{Type: schema.Object, Values: &schema.Key{}}},
		{Name: "Tests.Resource", Type: schema.Object, Doc: "The resource a policy checks.", Values: &schema.Key{}},
		{Name: "Tests.Mocks", Type: schema.Array, Doc: "Globals (or helper.function) replaced for this test only.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"objectName"}}},
		strKey("Tests.Mocks.objectName", "The global, or helper.name, to replace."),
		{Name: "Tests.Mocks.returnValue", Doc: "What it is replaced with (a mocked function returns it): any YAML value."},
		{Name: "Tests.Expect", Type: schema.Object, Doc: "The outputs of a matching test (ours): each key given is checked."},
		{Name: "Tests.RuleOutputs", Type: schema.Array, Doc: "A correlation test: the matches of its steps or groups (Panther's form).",
			Items: &schema.Key{Type: schema.Object, Required: []string{"ID", "Matches"}}},
		strKey("Tests.RuleOutputs.ID", "The step or group ID."),
		{Name: "Tests.RuleOutputs.Matches", Type: schema.Object, Doc: "Field -> value -> the times of its matches.",
			Values: &schema.Key{Type: schema.Object, Values: &schema.Key{Type: schema.Array}}},
		strKey("Tests.Expect.Title", "title()'s result (or the default title)."),
		strKey("Tests.Expect.Dedup", "dedup()'s result (or the default: the title)."),
		{Name: "Tests.Expect.Severity", Type: schema.String, Enum: severityEnum, Doc: "The alert's severity after severity()."},
		strKey("Tests.Expect.Description", "description()'s result."),
		strKey("Tests.Expect.Reference", "reference()'s result."),
		strKey("Tests.Expect.Runbook", "runbook()'s result."),
		{Name: "Tests.Expect.AlertContext", Doc: "A subset of alert_context()'s result."},
		listKey("Tests.Expect.Destinations", "destinations()'s result."),
		{Name: "Detection", Type: schema.Object, OneOrList: true,
			Doc: "The correlation (a list of one item in Panther's files): a Sequence with Transitions, or a Group with MatchCriteria."},
		{Name: "Detection.Sequence", Type: schema.Array, Doc: "Ordered steps: the matches of one rule each.", Items: &schema.Key{Type: schema.Object, Required: []string{"ID", "RuleID"}}},
		{Name: "Detection.Group", Type: schema.Array, Doc: "Groups matched on one key in any order.", Items: &schema.Key{Type: schema.Object, Required: []string{"ID", "RuleID"}}},
		{Name: "Detection.Transitions", Type: schema.Array, Doc: "One per pair of consecutive steps: From, To, what they share (Match) and within how long.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"From", "To", "Match"}}},
		strKey("Detection.Transitions.ID", "The transition's name, like A FOLLOWED BY B."),
		strKey("Detection.Transitions.From", "The step ID it starts from."),
		strKey("Detection.Transitions.To", "The next step's ID."),
		{Name: "Detection.Transitions.WithinTimeFrameMinutes", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(90 * 24 * 60),
			Doc: "The To step happens within this many minutes after the From step (default: the lookback)."},
		{Name: "Detection.Transitions.Match", Type: schema.Array, Doc: "What the two steps share: On: field, or From: field and To: field.",
			Items: &schema.Key{Type: schema.Object}},
		strKey("Detection.Transitions.Match.On", "A field both steps' matches hold with one value (a path, p_any_* or p_alert_context.<path>)."),
		strKey("Detection.Transitions.Match.From", "The From step's field."),
		strKey("Detection.Transitions.Match.To", "The To step's field."),
		{Name: "Detection.MatchCriteria", Type: schema.Object, Doc: "Key name -> per group, the field whose value links the groups.",
			Values: &schema.Key{Type: schema.Array, Items: &schema.Key{Type: schema.Object, Required: []string{"GroupID", "Match"}}}},
		strKey("Detection.MatchCriteria.GroupID", "The group's ID."),
		strKey("Detection.MatchCriteria.Match", "The group's field."),
		{Name: "Detection.LookbackWindowMinutes", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(90 * 24 * 60),
			Doc: "The whole chain fits in this many minutes (default 15)."},
		{Name: "Detection.Schedule", Doc: "Accepted for compatibility with Panther's format and ignored: correlations run on the stream."},
		{Name: "Detection.EventEvaluationOrder", Type: schema.String, Enum: []string{"Chronological"}, Doc: "Matches are always taken in event time."},
		strKey("Detection.Sequence.ID", "The step's name, used by Transitions and RuleOutputs."),
		strKey("Detection.Sequence.RuleID", "The rule whose matches this step takes."),
		{Name: "Detection.Sequence.MinMatchCount", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(10000), Doc: "The step happens when this many matches share its keys (default 1)."},
		{Name: "Detection.Sequence.MaxMatchCount", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(10000), Doc: "At most this many (last step only)."},
		boolKey("Detection.Sequence.Absence", "The step is that no match happens (last step only)."),
		strKey("Detection.Group.ID", "The group's name, used by MatchCriteria and RuleOutputs."),
		strKey("Detection.Group.RuleID", "The rule whose matches this group takes."),
		{Name: "Detection.Group.MinMatchCount", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(10000), Doc: "The group holds when this many matches share the key (default 1)."},
		{Name: "Detection.Group.MaxMatchCount", Type: schema.Integer, Min: schema.Range(1), Max: schema.Range(10000), Doc: "At most this many."},
		boolKey("Detection.Group.Absence", "The group is that no match of the key happens."),
		{Name: "Fixtures", Type: schema.Array, Doc: "Fixture tests: raw log files replayed through the parser, this detection and the alert logic, compared with <Input>.expected.yml.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Input"}}},
		strKey("Fixtures.Name", "The fixture's name (default: its Input)."),
		strKey("Fixtures.Input", "The raw log file, relative to this spec (compressed or not)."),
		{Name: "Fixtures.LogType", Type: schema.String, Doc: "The log type of the file (default: classified).", Enum: logTypes.Enum, Open: logTypes.Open, Pattern: logTypes.Pattern},
		strKey("Fixtures.Expected", "The expected alerts (default: <Input>.expected.yml)."),
	}
	out := make(map[string]schema.Key, len(docs))
	for _, k := range docs {
		out[k.Name] = k
	}
	return out
}

// kindOrder is the canonical order of each kind's keys (the shipped
// library's). It holds exactly the keys of specKeys.
var kindOrder = map[Kind][]string{
	TypeRule: {"AnalysisType", "RuleID", "DisplayName", "Enabled", "CreateAlert", "Filename", "LogTypes", "Severity",
		"Threshold", "ThresholdDistinct", "DedupPeriodMinutes", "GroupBy", "FirstSeen", "Tags", "Reports", "Description", "Runbook",
		"Reference", "SummaryAttributes", "OutputIds", "Fixtures", "Tests"},
	TypeScheduledRule: {"AnalysisType", "RuleID", "DisplayName", "Enabled", "CreateAlert", "Filename", "ScheduledQueries",
		"Severity", "Threshold", "DedupPeriodMinutes", "Tags", "Reports", "Description", "Runbook",
		"Reference", "SummaryAttributes", "OutputIds", "Fixtures", "Tests"},
	TypeCorrelationRule: {"AnalysisType", "RuleID", "DisplayName", "Enabled", "Filename", "Severity",
		"DedupPeriodMinutes", "Tags", "Reports", "Description", "Runbook", "Reference", "OutputIds", "Detection",
		"Fixtures", "Tests"},
	TypePolicy: {"AnalysisType", "PolicyID", "DisplayName", "Enabled", "Filename", "ResourceTypes",
		"Severity", "Suppressions", "Tags", "Reports", "Description", "Runbook", "Reference", "OutputIds", "Tests"},
	TypeGlobal:    {"AnalysisType", "GlobalID", "Filename", "Description", "Tags"},
	TypeDataModel: {"AnalysisType", "DataModelID", "DisplayName", "Description", "Enabled", "LogTypes", "Filename", "Mappings"},
	TypePack:      {"AnalysisType", "PackID", "DisplayName", "Description", "PackDefinitionType", "PackDefinition", "Tags"},
	TypeSavedQuery: {"AnalysisType", "QueryName", "DisplayName", "Description", "Query", "Tags",
		"Lookback", "LookbackWindowSeconds"},
	TypeScheduledQuery: {"AnalysisType", "QueryName", "DisplayName", "Description", "Enabled", "Schedule",
		"Query", "Tags", "Lookback", "LookbackWindowSeconds"},
}

// nestedOrder is the canonical order of the keys of nested mappings, by
// path; each holds exactly the keys of the decoder's list for it.
var nestedOrder = map[string][]string{
	"Tests":             {"Name", "ExpectedResult", "Mocks", "History", "Log", "Resource", "RuleOutputs", "Expect"},
	"Tests.RuleOutputs": {"ID", "Matches"},
	"Detection": {"Sequence", "Group", "Transitions", "MatchCriteria", "LookbackWindowMinutes", "Schedule",
		"EventEvaluationOrder"},
	"Detection.Sequence":          {"ID", "RuleID", "MinMatchCount", "MaxMatchCount", "Absence"},
	"Detection.Group":             {"ID", "RuleID", "MinMatchCount", "MaxMatchCount", "Absence"},
	"Detection.Transitions":       {"ID", "From", "To", "WithinTimeFrameMinutes", "Match"},
	"Detection.Transitions.Match": {"On", "From", "To"},
	"Detection.MatchCriteria":     {"GroupID", "Match"},
	"Tests.Mocks":                 {"objectName", "returnValue"},
	"Tests.Expect":                {"Title", "Dedup", "Severity", "Description", "Reference", "Runbook", "AlertContext", "Destinations"},
	"Mappings":                    {"Name", "Path", "Method"},
	"Fixtures":                    {"Name", "Input", "LogType", "Expected"},
	"Schedule":                    {"RateMinutes", "CronExpression", "TimeoutMinutes"},
	"PackDefinition":              {"IDs"},
	"FirstSeen":                   {"Fields", "By", "HistoryMinutes", "LearnMinutes"},
}

// decoderNested is the decoder's list for each nested path.
func decoderNested() map[string][]string {
	return map[string][]string{
		"Tests.RuleOutputs": ruleOutputKeys, "Detection": detectionKeys, "Detection.Sequence": stepKeys,
		"Detection.Group": stepKeys, "Detection.Transitions": transitionKeys, "Detection.Transitions.Match": pairKeys,
		"Detection.MatchCriteria": criterionKeys,
		"Tests":                   testKeys, "Tests.Mocks": mockKeys, "Tests.Expect": expectKeys, "Mappings": mappingKeys,
		"Fixtures": fixtureKeys, "Schedule": scheduleKeys, "PackDefinition": packDefKeys,
		"FirstSeen": firstSeenKeys,
	}
}

var kindDocs = map[Kind][2]string{
	TypeRule:            {"Rule", "A streaming detection: rule(event) in Lua over the events of its LogTypes."},
	TypeCorrelationRule: {"Correlation rule", "An alert from a chain of rule matches in event time: a Sequence of steps, or a Group (Panther's format)."},
	TypeScheduledRule:   {"Scheduled rule", "A detection over the rows of scheduled queries."},
	TypePolicy:          {"Policy", "A cloud security policy: policy(resource) in Lua over resources of its ResourceTypes (panther scan)."},
	TypeGlobal:          {"Helper", "A Lua module that detections load with require(GlobalID)."},
	TypeDataModel:       {"Data model", "One name for one idea across log types: event:udm(\"Name\")."},
	TypePack:            {"Pack", "A set of detections built into a zip and uploaded to the backend."},
	TypeSavedQuery:      {"Saved query", "A SQL query over the lake, run by name with panther search --query."},
	TypeScheduledQuery:  {"Scheduled query", "A SQL query over the lake run on a schedule; scheduled rules read its rows."},
}

// Schemas returns the schema of every kind of spec a detections
// repository holds, the engine's and those decoded by other packages.
func Schemas(o SchemaOptions) []schema.Kind {
	return append(SpecSchemas(o), custom.Schema(), rules.Schema())
}

// SpecSchemas returns the schema of each detection kind (every
// AnalysisType the engine decodes itself), in the order of analysisTypes.
func SpecSchemas(o SchemaOptions) []schema.Kind {
	docs := specDocs(o)
	var out []schema.Kind
	for _, name := range analysisTypes {
		typ := Kind(name)
		order, ok := kindOrder[typ]
		if !ok {
			continue // decoded by another package (log_type)
		}
		k := schema.Kind{Name: name, Title: kindDocs[typ][0], Doc: kindDocs[typ][1], Required: slices.Clone(requiredKeys[typ])}
		for _, name := range order {
			k.Keys = append(k.Keys, fill(docs, name))
		}
		if tests := schema.Find(k.Keys, "Tests"); tests != nil {
			// A rule's test has a Log; a policy's a Resource (or a Log).
			if typ != TypeRule { // History serves FirstSeen, a rule's option
				tests.Items.Keys = slices.DeleteFunc(slices.Clone(tests.Items.Keys), func(k schema.Key) bool { return k.Name == "History" })
			}
			switch typ {
			case TypePolicy:
				tests.Items.AnyRequired = []string{"Log", "Resource"}
			case TypeCorrelationRule:
			default:
				tests.Items.Required = append(slices.Clone(tests.Items.Required), "Log")
			}
		}
		out = append(out, k)
	}
	return out
}

// fill returns the documented key at path with its nested keys, in order.
func fill(docs map[string]schema.Key, path string) schema.Key {
	k := docs[path]
	k.Name = path[lastDot(path)+1:]
	order, nested := nestedOrder[path]
	if !nested {
		return k
	}
	target := &k
	if k.Values != nil { // free keys, each holding a list of mappings (MatchCriteria)
		v := *k.Values
		k.Values = &v
		target = k.Values
	}
	if target.Items != nil {
		it := *target.Items
		target.Items = &it
		target = target.Items
	}
	for _, name := range order {
		target.Keys = append(target.Keys, fill(docs, path+"."+name))
	}
	return k
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}
