#include "cli/diagnose_report.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/rfc3339.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

constexpr std::string_view kRetries = "the kubelet retries after 10, 20, 40, 80, 160, then every 300 s";
constexpr std::string_view kPickedUp = "a fix is picked up then, or delete the pod";
constexpr std::string_view kNotRecorded =
    "cause not recorded (events expire after an hour; kubelets before 1.32 put the cause only in events)";
constexpr size_t kMaxMessage = 600;  // characters of a kubelet message in text output
constexpr size_t kMaxListed = 12;    // pods or nodes named on one line

// A cause pullguard's own check may run into when it cannot reach the registry, or that may
// pass with nothing changed.
bool IsTransient(Reason r) {
  return r == Reason::kRateLimited || r == Reason::kRegistryUnreachable || r == Reason::kRegistryError ||
         r == Reason::kCheckTimedOut;
}

std::string Name(Reason r) { return std::string(ReasonName(r)); }

// What the API and registries send may hold control characters (a terminal escape in a
// message or an image): text output shows them escaped, never raw.
std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string Truncate(const std::string& s, size_t max) { return s.size() <= max ? s : s.substr(0, max) + "..."; }

void Line(std::ostream& out, int indent, const std::string& text) {
  out << std::string(static_cast<size_t>(indent), ' ') << Printable(text) << "\n";
}

std::string Join(const std::vector<std::string>& items, const std::string& separator, size_t max = SIZE_MAX) {
  std::string out;
  size_t n = 0;
  for (const auto& item : items) {
    if (n == max) {
      out += separator + "and " + std::to_string(items.size() - max) + " more";
      break;
    }
    if (!out.empty()) out += separator;
    out += item;
    ++n;
  }
  return out;
}

std::string Plural(size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string OutcomeWords(DiagnoseOutcome o) {
  switch (o) {
    case DiagnoseOutcome::kOk: return "nothing wrong";
    case DiagnoseOutcome::kFixed: return "already fixed; waiting on the kubelet's next try";
    case DiagnoseOutcome::kTransient: return "a transient cause only: it may pass with nothing changed";
    case DiagnoseOutcome::kNeedsChange: return "needs a change";
  }
  return "needs a change";
}

std::string Duration(long long seconds) {
  long long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  if (h == 0) out += std::to_string(s) + "s";
  return out;
}

bool FromTerminated(const KubeletSaid& said) { return said.source.find("terminated") != std::string::npos; }

// The first finding whose reason IsTransient, in the denials then the warnings.
const Finding* TransientFinding(const ContainerDiagnosis& c) {
  for (const auto* list : {&c.denials, &c.warnings}) {
    for (const Finding& f : *list) {
      if (IsTransient(f.reason)) return &f;
    }
  }
  return nullptr;
}

// What the registry answers now, after "the registry answers ".
std::string NowText(const ContainerDiagnosis& c) {
  if (!c.checked) return "was not asked now: " + c.not_checked;
  if (!c.denials.empty()) return Name(c.denials.front().reason) + " now: " + c.denials.front().detail;
  if (const Finding* t = TransientFinding(c)) return Name(t->reason) + " now: " + t->detail;
  return "now: it pulls";
}

std::string StateText(const diagnose::ContainerState& s) {
  if (s.waiting) return "waiting (" + (s.waiting->reason.empty() ? std::string("no reason") : s.waiting->reason) + ")";
  if (s.running) return "running";
  if (s.terminated) {
    return "terminated (" + (s.terminated->reason.empty() ? std::string("no reason") : s.terminated->reason) + ", exit " +
           std::to_string(s.terminated->exit_code) + ")";
  }
  return "";
}

std::string ContainerStateLine(const diagnose::ContainerView& v) {
  if (v.kind == diagnose::ContainerKind::kImageVolume) {
    return "image volume" + (v.mounted_by.empty() ? std::string(", mounted by no container") : ", mounted by " + Join(v.mounted_by, ", "));
  }
  if (!v.has_status) return "no status yet";
  std::string line = StateText(v.state);
  if (line.empty()) line = "no state yet";
  if (std::string last = StateText(v.last_state); !last.empty()) line += "; last " + last;
  if (v.restart_count > 0) line += "; restarts " + std::to_string(v.restart_count);
  if (!v.image_id.empty()) line += "; pulled";
  return line;
}

std::string ContainerLabel(const diagnose::ContainerView& v) {
  switch (v.kind) {
    case diagnose::ContainerKind::kInit: return "init container " + v.name;
    case diagnose::ContainerKind::kRegular: return "container " + v.name;
    case diagnose::ContainerKind::kEphemeral: return "ephemeral container " + v.name;
    case diagnose::ContainerKind::kImageVolume: return "image volume " + v.name;
  }
  return "container " + v.name;
}

json TimeJson(const std::optional<TimePoint>& t) { return t ? json(FormatTime(*t)) : json(nullptr); }

json FindingJson(const Finding& f) {
  return {{"path", f.path},     {"image", f.image},     {"normalized", f.normalized}, {"reason", Name(f.reason)},
          {"action", std::string(ActionName(f.action))}, {"detail", f.detail}, {"fix", f.fix},
          {"message", FormatFinding(f)}};
}

json StateJson(const diagnose::ContainerState& s) {
  json j = json::object();
  if (s.waiting) j["waiting"] = {{"reason", s.waiting->reason}, {"message", s.waiting->message}};
  if (s.running) j["running"] = true;
  if (s.terminated) {
    j["terminated"] = {{"reason", s.terminated->reason}, {"message", s.terminated->message}, {"exitCode", s.terminated->exit_code}};
  }
  return j;
}

json CauseJson(const std::optional<Reason>& r) { return r ? json(Name(*r)) : json(nullptr); }

std::string Dump(const json& doc) { return doc.dump(2, ' ', false, json::error_handler_t::replace); }

void RenderContainer(const ContainerDiagnosis& c, const PodDiagnosis& pod, TimePoint now, std::ostream& out) {
  const diagnose::ContainerView& v = c.view;
  bool quiet = c.outcome == DiagnoseOutcome::kOk && c.denials.empty() && c.warnings.empty() && !c.said;
  if (quiet) {
    Line(out, 2, ContainerLabel(v) + ": " + c.verdict + " (" + v.image + ")");
    return;
  }
  Line(out, 2, ContainerLabel(v) + ": " + v.image);
  Line(out, 4, "state: " + ContainerStateLine(v));
  bool now_said = false;
  if (c.said) {
    std::string line = "kubelet said " + Name(c.said->cause.reason);
    if (c.said->at) line += " at " + FormatTime(*c.said->at) + " (" + FormatRelative(*c.said->at, now) + ")";
    line += ": " + std::string(c.said->cause.explanation) + " [" + std::string(c.said->cause.matched) + "]";
    if (c.failure_events > 1) line += "; " + std::to_string(c.failure_events) + " failed pulls recorded";
    Line(out, 4, line);
    Line(out, 6, c.said->source + ": \"" + Truncate(c.said->message, kMaxMessage) + "\"");
  } else if (c.cause_not_recorded) {
    std::string lost = pod.events_read ? std::string(kNotRecorded)
                                       : "cause not in the pod's status, and its events could not be read";
    Line(out, 4, lost + "; checked now: the registry answers " + NowText(c));
    now_said = true;
  } else if (!c.unknown_message.empty()) {
    Line(out, 4, "kubelet said (not in pullguard's catalogue of runtime messages): \"" +
                     Truncate(c.unknown_message, kMaxMessage) + "\"");
  }
  if (!now_said) Line(out, 4, "the registry answers " + NowText(c));
  for (const Finding& f : c.denials) {
    if (&f != &c.denials.front()) Line(out, 4, "also " + Name(f.reason) + " now: " + f.detail);
    if (!f.fix.empty()) Line(out, 6, "fix: " + f.fix);
  }
  const Finding* transient = c.denials.empty() ? TransientFinding(c) : nullptr;
  for (const Finding& f : c.warnings) {
    if (&f == transient) continue;
    Line(out, 4, "warns now: " + Name(f.reason) + ": " + f.detail + (f.fix.empty() ? "" : "; " + f.fix));
  }
  if (c.backing_off && c.outcome != DiagnoseOutcome::kFixed && c.outcome != DiagnoseOutcome::kOk) {
    Line(out, 4, BackOffSentence(c.next_try, now));
  }
  Line(out, 4, "=> " + c.verdict);
}

void RenderPod(const PodDiagnosis& p, TimePoint now, std::ostream& out) {
  std::string header = "pod " + p.ns + "/" + p.name + (p.phase.empty() ? "" : " (" + p.phase + ")");
  if (!p.error.empty()) {
    Line(out, 0, header + ": could not be read: " + p.error);
    return;
  }
  if (p.node_name.empty()) {
    header += ": not scheduled, so no pull was tried";
  } else if (p.node) {
    std::vector<std::string> parts;
    std::string platform = p.node->Platform();
    parts.push_back(platform.empty() ? "platform unknown" : platform);
    if (!p.node->zone.empty()) parts.push_back("zone " + p.node->zone);
    if (!p.node->container_runtime.empty()) parts.push_back(p.node->container_runtime);
    if (!p.node->kubelet_version.empty()) parts.push_back("kubelet " + p.node->kubelet_version);
    header += " on node " + p.node_name + ": " + Join(parts, ", ");
  } else {
    header += " on node " + p.node_name + " (not readable: " + p.node_error + ")";
  }
  Line(out, 0, header);
  if (!p.owners.empty()) {
    std::string line = "fix it in " + p.FixIn();
    if (p.owners.size() > 1) {
      std::vector<std::string> via(p.owners.begin(), p.owners.end() - 1);
      line += " (via " + Join(via, " <- ") + ")";
    }
    Line(out, 2, line);
  }
  if (!p.owner_note.empty()) Line(out, 2, p.owner_note);
  if (p.events_read) {
    Line(out, 2, "events: " + std::to_string(p.events) + (p.event_notes.empty() ? "" : " (" + Join(p.event_notes, "; ") + ")"));
  } else {
    Line(out, 2, "events: could not be read: " + Join(p.event_notes, "; "));
  }
  if (!p.check_note.empty()) {
    Line(out, 2, "not checked now: " + p.check_note);
  } else if (!p.checked_for.empty()) {
    Line(out, 2, "checked now for " + p.checked_for);
  }
  for (const ContainerDiagnosis& c : p.containers) RenderContainer(c, p, now, out);
  for (const Finding& f : p.pod_denials) Line(out, 2, "deny " + FormatFinding(f));
  for (const Finding& f : p.pod_warnings) Line(out, 2, "warn " + FormatFinding(f));
  Line(out, 2, "=> pod " + p.name + ": " + OutcomeWords(p.outcome));
}

std::string GroupLine(const diagnose::PodGroup& g) {
  std::string line = g.cause ? "fails with " + Name(*g.cause) : std::string("pulls");
  line += " on " + (g.platform.empty() ? std::string("an unknown platform") : g.platform);
  if (!g.zone.empty()) line += ", zone " + g.zone;
  line += ": " + Plural(g.pods.size(), "pod") + " (" + Join(g.pods, ", ", kMaxListed) + ")";
  if (!g.nodes.empty()) line += " on " + Plural(g.nodes.size(), "node") + " (" + Join(g.nodes, ", ", kMaxListed) + ")";
  else line += ", not scheduled";
  return line;
}

}  // namespace

std::string_view OutcomeName(DiagnoseOutcome outcome) {
  switch (outcome) {
    case DiagnoseOutcome::kOk: return "ok";
    case DiagnoseOutcome::kFixed: return "fixed";
    case DiagnoseOutcome::kTransient: return "transient";
    case DiagnoseOutcome::kNeedsChange: return "needsChange";
  }
  return "needsChange";
}

int ExitCodeOf(DiagnoseOutcome outcome) {
  switch (outcome) {
    case DiagnoseOutcome::kOk:
    case DiagnoseOutcome::kFixed: return kExitOk;
    case DiagnoseOutcome::kTransient: return kExitTransient;
    case DiagnoseOutcome::kNeedsChange: return kExitDenied;
  }
  return kExitDenied;
}

std::string PodDiagnosis::FixIn() const { return owners.empty() ? "Pod/" + name : owners.back(); }

DiagnoseOutcome DiagnoseReport::Outcome() const {
  DiagnoseOutcome worst = DiagnoseOutcome::kOk;
  for (const PodDiagnosis& p : pods) worst = std::max(worst, p.outcome);
  return worst;
}

std::string FormatTime(TimePoint t) { return FormatRfc3339(t); }

std::string FormatRelative(TimePoint t, TimePoint now) {
  long long seconds = std::chrono::duration_cast<std::chrono::seconds>(t - now).count();
  if (seconds == 0) return "now";
  return seconds > 0 ? "in " + Duration(seconds) : Duration(-seconds) + " ago";
}

std::string BackOffSentence(const std::optional<TimePoint>& next_try, TimePoint now) {
  std::string tail = std::string(kRetries) + "); " + std::string(kPickedUp);
  if (!next_try) return "next try within 300 s (no failed pull is recorded to time it; " + tail;
  if (*next_try <= now) {
    return "next try due now (it was due at about " + FormatTime(*next_try) + ", " + FormatRelative(*next_try, now) + "; " + tail;
  }
  return "next try at about " + FormatTime(*next_try) + " (" + FormatRelative(*next_try, now) + "; " + tail;
}

void JudgeContainer(ContainerDiagnosis& c, TimePoint now) {
  const Finding* transient_now = TransientFinding(c);
  const bool clean = c.checked && c.denials.empty() && transient_now == nullptr;
  c.cause.reset();
  if (!c.denials.empty()) {
    const Finding& f = c.denials.front();
    c.outcome = DiagnoseOutcome::kNeedsChange;
    c.cause = f.reason;
    c.verdict = "needs a change: " + Name(f.reason) + ": " + (f.fix.empty() ? f.detail : f.fix);
    if (!c.pull_failing && !c.said && (c.view.state.running || !c.view.image_id.empty())) {
      c.verdict += " (it pulled before; a new pod, or another node, fails)";
    }
    return;
  }
  if (c.said) {
    const diagnose::RuntimeCause& cause = c.said->cause;
    if (cause.transient) {
      c.outcome = DiagnoseOutcome::kTransient;
      c.cause = cause.reason;
      c.verdict = "transient: " + Name(cause.reason) + " may pass with nothing changed";
      if (clean) c.verdict += " (the registry answers pullguard now; the node may still be refused)";
      return;
    }
    if (clean) {
      c.outcome = DiagnoseOutcome::kFixed;
      if (FromTerminated(*c.said)) {
        c.verdict = "already fixed in the registry: it has an image for this node's platform now; a node that keeps "
                    "the image it pulled (imagePullPolicy IfNotPresent) runs that again: push a new tag";
      } else if (c.backing_off) {
        c.verdict = "already fixed; " + BackOffSentence(c.next_try, now);
      } else {
        c.verdict = "already fixed: the kubelet picks it up at its next try, or delete the pod";
      }
      return;
    }
    c.outcome = DiagnoseOutcome::kNeedsChange;
    c.cause = cause.reason;
    c.verdict = "needs a change: " + Name(cause.reason) + ": " + std::string(cause.explanation);
    if (transient_now != nullptr) {
      c.verdict += " (pullguard cannot verify it now: " + Name(transient_now->reason) + ")";
    } else if (!c.checked) {
      c.verdict += " (not checked now: " + c.not_checked + ")";
    }
    return;
  }
  if (c.pull_failing) {
    if (transient_now != nullptr) {
      c.outcome = DiagnoseOutcome::kTransient;
      c.cause = transient_now->reason;
      c.verdict = "transient: the registry answers " + Name(transient_now->reason) + " now, and the kubelet's cause is not known";
      return;
    }
    if (!c.unknown_message.empty()) {
      c.outcome = DiagnoseOutcome::kNeedsChange;
      c.verdict = "needs a change: the kubelet's error is none pullguard knows (on the node: disk, unpacking, a "
                  "signature policy?); read its message";
      if (clean) c.verdict += "; the registry itself answers";
      return;
    }
    if (clean) {
      c.outcome = DiagnoseOutcome::kFixed;
      c.verdict = "already fixed, or a cause the registry does not show (the node's disk or runtime); " +
                  (c.backing_off ? BackOffSentence(c.next_try, now) : std::string(kPickedUp));
      return;
    }
    c.outcome = DiagnoseOutcome::kNeedsChange;
    c.verdict = "needs a change: the cause is not known and not checked now (" + c.not_checked + ")";
    return;
  }
  c.outcome = DiagnoseOutcome::kOk;
  if (c.view.kind == diagnose::ContainerKind::kImageVolume) {
    c.verdict = "no pull error";
  } else if (c.view.state.running) {
    c.verdict = "running";
  } else if (!c.view.image_id.empty()) {
    c.verdict = "pulled";
  } else {
    c.verdict = "no pull error";
  }
}

void JudgePod(PodDiagnosis& pod) {
  pod.outcome = DiagnoseOutcome::kOk;
  pod.cause.reset();
  for (const ContainerDiagnosis& c : pod.containers) {
    if (c.outcome > pod.outcome) {
      pod.outcome = c.outcome;
      pod.cause = c.cause;
    } else if (c.outcome == pod.outcome && !pod.cause) {
      pod.cause = c.cause;
    }
  }
  if (!pod.pod_denials.empty()) {
    if (pod.outcome != DiagnoseOutcome::kNeedsChange) pod.cause.reset();
    pod.outcome = DiagnoseOutcome::kNeedsChange;
    if (!pod.cause) pod.cause = pod.pod_denials.front().reason;
  }
  if (pod.outcome == DiagnoseOutcome::kOk || pod.outcome == DiagnoseOutcome::kFixed) pod.cause.reset();
}

void RenderDiagnoseText(const DiagnoseReport& report, std::ostream& out) {
  if (report.kind != "Pod") {
    std::string line = report.kind + " " + report.ns + "/" + report.name + ": " + Plural(report.pods_found, "pod");
    if (!report.selector.empty()) line += " (selector " + report.selector + ")";
    if (report.pods.size() < report.pods_found) line += ", the first " + std::to_string(report.pods.size()) + " diagnosed";
    Line(out, 0, line);
    if (!report.summary.empty()) Line(out, 2, report.summary);
    for (const diagnose::PodGroup& g : report.groups) Line(out, 2, GroupLine(g));
    out << "\n";
  }
  for (const PodDiagnosis& p : report.pods) {
    // A workload's pods that pulled are in the group lines; the rest in full.
    if (report.kind != "Pod" && p.error.empty() && p.outcome == DiagnoseOutcome::kOk) continue;
    RenderPod(p, report.now, out);
    out << "\n";
  }
  for (const std::string& note : report.notes) Line(out, 0, "note: " + note);
  DiagnoseOutcome outcome = report.Outcome();
  Line(out, 0, "diagnosis: " + OutcomeWords(outcome) + " (exit " + std::to_string(ExitCodeOf(outcome)) + ")");
}

void RenderDiagnoseJson(const DiagnoseReport& report, const std::string& version, std::ostream& out) {
  json pods = json::array();
  for (const PodDiagnosis& p : report.pods) {
    json pod = {{"name", p.name}, {"namespace", p.ns}, {"uid", p.uid}, {"phase", p.phase}};
    if (!p.error.empty()) {
      pod["error"] = p.error;
      pods.push_back(std::move(pod));
      continue;
    }
    json node = nullptr;
    if (!p.node_name.empty()) {
      node = {{"name", p.node_name}};
      if (p.node) {
        node["os"] = p.node->os;
        node["arch"] = p.node->arch;
        node["platform"] = p.node->Platform();
        node["zone"] = p.node->zone;
        node["containerRuntime"] = p.node->container_runtime;
        node["kubelet"] = p.node->kubelet_version;
      } else {
        node["error"] = p.node_error;
      }
    }
    pod["node"] = node;
    pod["owners"] = p.owners;
    pod["fixIn"] = p.FixIn();
    if (!p.owner_note.empty()) pod["ownerNote"] = p.owner_note;
    pod["events"] = {{"read", p.events_read}, {"count", p.events}, {"notes", p.event_notes}};
    pod["checkedFor"] = p.checked_for;
    if (!p.check_note.empty()) pod["notChecked"] = p.check_note;
    json containers = json::array();
    for (const ContainerDiagnosis& c : p.containers) {
      const diagnose::ContainerView& v = c.view;
      json said = nullptr;
      if (c.said) {
        said = {{"reason", Name(c.said->cause.reason)},
                {"transient", c.said->cause.transient},
                {"matched", std::string(c.said->cause.matched)},
                {"explanation", std::string(c.said->cause.explanation)},
                {"message", c.said->message},
                {"source", c.said->source},
                {"at", TimeJson(c.said->at)}};
      }
      json denials = json::array(), warnings = json::array();
      for (const Finding& f : c.denials) denials.push_back(FindingJson(f));
      for (const Finding& f : c.warnings) warnings.push_back(FindingJson(f));
      json container = {{"name", v.name},
                        {"kind", std::string(diagnose::ContainerKindName(v.kind))},
                        {"image", v.image},
                        {"imagePath", c.image_path},
                        {"imagePullPolicy", c.pull_policy},
                        {"imageID", v.image_id},
                        {"restarts", v.restart_count},
                        {"state", StateJson(v.state)},
                        {"lastState", StateJson(v.last_state)},
                        {"pullFailing", c.pull_failing},
                        {"kubeletSaid", said},
                        {"causeNotRecorded", c.cause_not_recorded},
                        {"failedPulls", c.failure_events},
                        {"now", {{"checked", c.checked}, {"notChecked", c.not_checked}, {"denials", denials}, {"warnings", warnings}}},
                        {"nextTry", c.backing_off ? TimeJson(c.next_try) : json(nullptr)},
                        {"outcome", std::string(OutcomeName(c.outcome))},
                        {"cause", CauseJson(c.cause)},
                        {"verdict", c.verdict}};
      if (!c.unknown_message.empty()) container["unknownMessage"] = c.unknown_message;
      if (v.kind == diagnose::ContainerKind::kImageVolume) container["mountedBy"] = v.mounted_by;
      containers.push_back(std::move(container));
    }
    pod["containers"] = containers;
    json pod_findings = json::array();
    for (const Finding& f : p.pod_denials) pod_findings.push_back(FindingJson(f));
    for (const Finding& f : p.pod_warnings) pod_findings.push_back(FindingJson(f));
    pod["podFindings"] = pod_findings;
    pod["outcome"] = std::string(OutcomeName(p.outcome));
    pod["cause"] = CauseJson(p.cause);
    pods.push_back(std::move(pod));
  }
  json groups = json::array();
  for (const diagnose::PodGroup& g : report.groups) {
    groups.push_back({{"cause", CauseJson(g.cause)}, {"platform", g.platform}, {"zone", g.zone}, {"pods", g.pods}, {"nodes", g.nodes}});
  }
  DiagnoseOutcome outcome = report.Outcome();
  json doc = {{"version", 1},
              {"pullguard", version},
              {"target", {{"kind", report.kind}, {"namespace", report.ns}, {"name", report.name}, {"selector", report.selector}}},
              {"time", FormatTime(report.now)},
              {"podsFound", report.pods_found},
              {"summary", report.summary},
              {"groups", groups},
              {"pods", pods},
              {"notes", report.notes},
              {"outcome", std::string(OutcomeName(outcome))},
              {"exitCode", ExitCodeOf(outcome)}};
  out << Dump(doc) << "\n";
}

}  // namespace pullguard::cli
