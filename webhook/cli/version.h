// The version `pullguard version` prints; set by CMake from project(VERSION).
#pragma once

namespace pullguard::cli {

#ifndef PULLGUARD_VERSION
#define PULLGUARD_VERSION "dev"
#endif
inline constexpr const char* kVersion = PULLGUARD_VERSION;

}  // namespace pullguard::cli
