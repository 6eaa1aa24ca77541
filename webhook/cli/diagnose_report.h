// What `pullguard diagnose` found for a pod, or for each pod of a workload: per container what
// the kubelet said (its waiting message, its events, a start that failed with `exec format
// error`), what the registry answers now (checker::CheckObject on the Pod, for the platform
// of its node), when the kubelet tries again, and what to make of it; and its output
// formats, text (for a person) and json (for scripts; "version": 1).
// Judge* are the pure rules that turn those facts into an outcome; the command gathers the
// facts (diagnose_command.cc).
// Nothing here holds secret material: findings and kubelet messages name registries, images
// and secrets, never their contents.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/finding.h"
#include "diagnose/group.h"
#include "diagnose/pod_status.h"
#include "diagnose/runtime_messages.h"
#include "kube/pod_reader.h"

namespace pullguard::cli {

using TimePoint = std::chrono::system_clock::time_point;

// Exit code of `pullguard diagnose` when the only causes are transient (0, 1 and 2 are
// commands.h's kExitOk, kExitDenied and kExitUsage).
inline constexpr int kExitTransient = 3;

// Worst last: a report's outcome is the worst of its parts.
enum class DiagnoseOutcome {
  kOk,           // pulled (or nothing to pull), nothing wrong now
  kFixed,        // the kubelet failed, the registry answers now: it waits on its back-off
  kTransient,    // a cause that may pass with nothing changed: rate limit, registry down, timeout
  kNeedsChange,  // a cause that needs a change (a finding that denies, a cause still live)
};

std::string_view OutcomeName(DiagnoseOutcome outcome);  // ok, fixed, transient, needsChange
int ExitCodeOf(DiagnoseOutcome outcome);                // 0, 0, 3, 1

// What the kubelet said about a container, read through the runtime message catalogue.
struct KubeletSaid {
  diagnose::RuntimeCause cause;
  std::string message;  // the text it was read from
  std::string source;   // "waiting message", "Failed event", "terminated state", "last terminated state"
  std::optional<TimePoint> at;  // when (an event's last time); nullopt when nothing records it
};

struct ContainerDiagnosis {
  diagnose::ContainerView view;
  std::string image_path;   // the field path of its image: spec.containers[0].image
  std::string pull_policy;  // imagePullPolicy as written ("" when unset)

  // --- what the kubelet said ---
  bool pull_failing = false;  // waiting with a pull error (ErrImagePull, ImagePullBackOff, ...)
  bool backing_off = false;   // a pull error the kubelet retries after its back-off
  std::optional<KubeletSaid> said;
  std::string unknown_message;     // a pull error whose text the catalogue does not know
  bool cause_not_recorded = false;  // a bare back-off message and no Failed event for it
  int failure_events = 0;           // pulls that failed, as the events count them
  std::optional<TimePoint> next_try;  // the kubelet's next pull, when events give its failures

  // --- what the registry answers now ---
  bool checked = false;        // the check ran for this image
  std::string not_checked;     // why it did not, when it did not
  std::vector<Finding> denials;   // findings at image_path that deny
  std::vector<Finding> warnings;  // findings at image_path that warn

  // --- JudgeContainer ---
  DiagnoseOutcome outcome = DiagnoseOutcome::kOk;
  std::optional<Reason> cause;  // the reason that decided the outcome (none for kOk)
  std::string verdict;          // one line for a person
};

struct PodDiagnosis {
  std::string name, ns, uid, phase;
  std::string error;  // the pod could not be read or decoded: nothing else is set
  std::string node_name;  // "" : not scheduled, so no pull was tried
  std::optional<kube::NodeDetails> node;  // nullopt: not scheduled, or not readable (node_error)
  std::string node_error;
  std::string checked_for;  // the platforms the check asked for ("linux/arm64"), and why when not the node's
  // The controller chain, nearest first: ReplicaSet/web-7d9f, Deployment/web.
  std::vector<std::string> owners;
  std::string owner_note;  // why the chain stops early, when it does
  bool events_read = false;
  size_t events = 0;
  std::vector<std::string> event_notes;  // an events API that could not be read, a truncated list
  std::vector<ContainerDiagnosis> containers;
  std::string check_note;  // the check did not run (the pod spec did not decode): why
  std::vector<Finding> pod_denials, pod_warnings;  // findings not at an image: pull secrets, ...

  // --- JudgePod ---
  DiagnoseOutcome outcome = DiagnoseOutcome::kOk;
  std::optional<Reason> cause;  // the worst container's (for grouping); none when it pulls

  // The object a person must change: the top of the controller chain, else the pod.
  std::string FixIn() const;
};

struct DiagnoseReport {
  std::string kind, name, ns;  // what was asked for: Pod, Deployment, ...
  std::string selector;        // a workload's pods' label selector
  std::vector<PodDiagnosis> pods;
  size_t pods_found = 0;       // a workload's pods (more than `pods` when capped)
  std::vector<diagnose::PodGroup> groups;
  std::string summary;         // diagnose::SummarizeGroups
  std::vector<std::string> notes;  // what could not be read or was left out
  TimePoint now;

  DiagnoseOutcome Outcome() const;
  int ExitCode() const { return ExitCodeOf(Outcome()); }
};

// Decides a container's outcome, cause and verdict from the facts above.
//   - a finding that denies now: needs a change;
//   - the kubelet named a transient cause: transient (pullguard reaching the registry does
//     not prove the node can);
//   - it named another cause: already fixed when the check now finds nothing wrong (waiting
//     on the back-off), else needs a change (still live, or not verifiable now);
//   - a pull error with no cause recorded, or one the catalogue does not know: fixed when the
//     check passes and nothing was said, transient when the registry is unreachable now,
//     else needs a change.
void JudgeContainer(ContainerDiagnosis& container, TimePoint now);
// The pod's outcome: the worst of its containers and of its pod-level findings.
void JudgePod(PodDiagnosis& pod);

// RFC 3339 in UTC to the second: 2025-05-01T12:00:00Z.
std::string FormatTime(TimePoint t);
// "in 1m20s", "45s ago", "now".
std::string FormatRelative(TimePoint t, TimePoint now);
// "next try at about T (in 1m20s; the kubelet retries after 10, 20, 40, 80, 160, then every
// 300 s); a fix is picked up then, or delete the pod".
std::string BackOffSentence(const std::optional<TimePoint>& next_try, TimePoint now);

void RenderDiagnoseText(const DiagnoseReport& report, std::ostream& out);
void RenderDiagnoseJson(const DiagnoseReport& report, const std::string& version, std::ostream& out);

}  // namespace pullguard::cli
