// Initial metadata by which ramiel-server tells a Compile caller that its compile has left the
// queue and holds a worker, and how long it queued. Part of the wire API (both ends include it);
// a server that never sends it is answered by clients all the same.
#pragma once

namespace ramiel::api {

inline constexpr const char* kStageMetadataKey = "ramiel-stage";
inline constexpr const char* kStageCompiling = "compiling";
// Seconds the compile waited in the server's queue, as a decimal number ("1.25").
inline constexpr const char* kQueueSecondsMetadataKey = "ramiel-queue-seconds";

}  // namespace ramiel::api
