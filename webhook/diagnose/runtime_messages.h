// What a failed pull looks like from inside the cluster: the texts a kubelet writes into a
// container's state.waiting.message and into its `Failed` events, for containerd 1.6, 1.7 and
// 2.x and CRI-O (containers/image), mapped to pullguard's reason codes. The catalogue is a
// table of ordered substrings (runtime_messages.cc), most specific first; matching is
// case-sensitive, as the runtimes' own texts are. tests/data/diagnose/runtime-messages.json
// holds real messages, each with where it was seen.
// Thread-safety: pure functions over constant tables.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/reason.h"

namespace pullguard::diagnose {

struct RuntimeCause {
  Reason reason;
  bool transient;                // a later try may pass with nothing changed (network, 5xx, 429)
  std::string_view matched;      // the catalogue entry's id, e.g. "containerd.resolve-not-found"
  std::string_view explanation;  // one sentence for a person, no trailing period
};

// The cause a pull error names: the waiting message of ErrImagePull, ImagePullBackOff (kubelet
// 1.32+ appends the last error: `Back-off pulling image "X": ErrImagePull: ...`),
// ImageInspectError, InvalidImageName, ErrImageNeverPull, or a `Failed` event's message
// (`Failed to pull image "X": ...`). With or without the `rpc error: code = ... desc = ` prefix
// (kubelet 1.28+ drops it for code Unknown). nullopt when no entry matches: node-side failures
// (unpacking, snapshots, disk), signature policy, or a text the catalogue does not know.
std::optional<RuntimeCause> ClassifyPullMessage(std::string_view message);

// As ClassifyPullMessage, but the kubelet's own waiting reasons decide first: ErrImageNeverPull
// is ImageNotOnNodes and InvalidImageName is InvalidReference whatever the message says.
std::optional<RuntimeCause> ClassifyWaiting(std::string_view reason, std::string_view message);

// A container that pulled but cannot start: `exec format error` (runc's
// `exec /app: exec format error`, the older `exec user process caused: exec format error`,
// crun's `Exec format error`) means the image was built for another platform. Only the
// terminated state's reason and message are read, so it is found when the runtime reports it
// (reason StartError or ContainerCannotRun) or terminationMessagePolicy is
// FallbackToLogsOnError; otherwise the text is only in the container's log. nullopt for exit
// code 0 and for anything else.
std::optional<RuntimeCause> ClassifyTerminated(std::string_view reason, std::string_view message, int exit_code);

// An old kubelet's (before 1.32) ImagePullBackOff message, `Back-off pulling image "X"`, which
// names no cause: the cause is in the last `Failed` event instead. False when anything follows
// the quoted image.
bool IsBareBackOff(std::string_view message);

// Every catalogue id, in match order (each once).
std::vector<std::string_view> CatalogueIds();

}  // namespace pullguard::diagnose
