// The kubelet's image pull back-off, to tell a user when the next try comes. As in
// pkg/kubelet/kubelet.go (imageBackOffPeriod = 10 s, MaxImageBackOff = 300 s) and client-go's
// util/flowcontrol.Backoff (no jitter for the image back-off):
//   - each failed pull (Backoff.Next, keyed by pod UID and image) doubles the wait, from 10 s
//     up to 300 s: 10, 20, 40, 80, 160, 300, 300...;
//   - a failure more than 600 s (2 x max) after the previous one starts over at 10 s
//     (hasExpired), and so does an entry Backoff.GC drops after 600 s without a failure (the
//     kubelet runs GC after every successful pull on the node);
//   - while the wait lasts, a pod sync only reports ImagePullBackOff and the `BackOff` event
//     `Back-off pulling image "X"`; those syncs are not failures.
// The kubelet pulls at the first pod sync after the wait. The pod worker re-syncs a pod whose
// sync failed after 10 s plus up to 50 % jitter, so the try comes up to kSyncRetryMax after the
// estimate (sooner when something else wakes the pod worker).
// Limits of the estimate: the kubelet keeps the back-off in memory (a kubelet restart starts
// over); only failures the caller passes are counted, and an aggregated event (count N, first
// and last time) hides the failures between its first and last time (use the count overload);
// event timestamps have one-second resolution. Crash-loop back-off of running containers is
// another mechanism with its own constants and is not modelled here.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

namespace pullguard::diagnose {

inline constexpr std::chrono::seconds kInitialPullBackOff{10};
inline constexpr std::chrono::seconds kMaxPullBackOff{300};
// A failure longer than this after the previous one starts the back-off over.
inline constexpr std::chrono::seconds kPullBackOffReset{600};
// How much later than the estimate the try can come: the pod worker's 10 s retry plus 50 %.
inline constexpr std::chrono::seconds kSyncRetryMax{15};

// The wait after `failures` consecutive failed pulls: 0 s for none, then 10, 20, 40, 80, 160,
// and 300 s from the sixth on.
std::chrono::seconds BackOffAfter(int failures);

// The earliest time the kubelet pulls again, from the times of failed pulls of one image by
// one pod: the `Failed` events `Failed to pull image "X": ...` (or their `Error: ErrImagePull`
// twins; times closer than 10 s are one failure, as no two pulls are). Not the `BackOff`
// events. Any order. nullopt when there is none.
std::optional<std::chrono::system_clock::time_point> NextPullAttempt(
    const std::vector<std::chrono::system_clock::time_point>& failure_times);

// The same from an aggregated event: `consecutive_failures` (the event's count) ending at
// `last_failure`. A count that spans a 600 s pause overstates the wait.
std::chrono::system_clock::time_point NextPullAttemptAfter(int consecutive_failures,
                                                           std::chrono::system_clock::time_point last_failure);

}  // namespace pullguard::diagnose
