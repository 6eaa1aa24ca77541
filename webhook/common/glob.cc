#include "common/glob.h"

#include <string>

namespace pullguard {
namespace {

Status BadPattern(std::string_view pattern, std::string_view why) {
  return Status::InvalidArgument("bad pattern \"" + std::string(pattern) + "\": " + std::string(why));
}

// Reads one character of a class at `i` (handling '\' escapes) into `out`.
bool ClassChar(std::string_view p, size_t& i, char& out) {
  if (i >= p.size()) return false;
  char c = p[i];
  if (c == '-' || c == ']') return false;  // Go's path.Match rejects an unescaped '-' or ']' here
  if (c == '\\') {
    ++i;
    if (i >= p.size()) return false;
    c = p[i];
  }
  out = c;
  ++i;
  return true;
}

// Parses the class starting after '[' at `i`; on success moves `i` past ']' and sets `matched`
// for character `c`.
Status MatchClass(std::string_view p, size_t& i, char c, bool& matched) {
  bool negated = false;
  if (i < p.size() && p[i] == '^') {
    negated = true;
    ++i;
  }
  bool found = false;
  bool any = false;
  while (true) {
    if (i < p.size() && p[i] == ']' && any) {
      ++i;
      break;
    }
    char lo = 0;
    if (!ClassChar(p, i, lo)) return BadPattern(p, "malformed character class");
    char hi = lo;
    if (i < p.size() && p[i] == '-') {
      ++i;
      if (!ClassChar(p, i, hi)) return BadPattern(p, "malformed range in character class");
    }
    if (lo <= c && c <= hi) found = true;
    any = true;
  }
  matched = (found != negated);
  return Status::Ok();
}

}  // namespace

Status ValidateGlob(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= pattern.size()) return BadPattern(pattern, "trailing backslash");
      i += 2;
    } else if (c == '[') {
      ++i;
      bool ignored = false;
      RETURN_IF_ERROR(MatchClass(pattern, i, 'a', ignored));
    } else {
      ++i;
    }
  }
  return Status::Ok();
}

Result<bool> GlobMatch(std::string_view pattern, std::string_view text, GlobMode mode) {
  RETURN_IF_ERROR(ValidateGlob(pattern));
  // Iterative matcher with one backtrack point per star kind (the classic wildcard algorithm).
  // A single '*' may not cross '/', so its backtrack point is dropped when it would have to.
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;    // last single '*'
  size_t dstar_p = std::string_view::npos, dstar_t = 0;  // last "**" (kPathWithDoubleStar)
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        size_t run = p;
        while (run < pattern.size() && pattern[run] == '*') ++run;
        if (mode == GlobMode::kPathWithDoubleStar && run - p >= 2) {
          dstar_p = run;
          dstar_t = t;
          star_p = std::string_view::npos;
        } else {
          star_p = run;
          star_t = t;
        }
        p = run;
        continue;
      }
      if (pc == '?' && text[t] != '/') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        size_t i = p + 1;
        bool matched = false;
        RETURN_IF_ERROR(MatchClass(pattern, i, text[t], matched));
        if (matched && text[t] != '/') {
          p = i;
          ++t;
          continue;
        }
      } else if (pc == '\\') {
        if (pattern[p + 1] == text[t]) {
          p += 2;
          ++t;
          continue;
        }
      } else if (pc != '?' && pc == text[t]) {
        ++p;
        ++t;
        continue;
      }
    }
    // Mismatch: let the last '*' swallow one more character if it may (never a '/'),
    // else the last "**" (anything).
    if (star_p != std::string_view::npos && text[star_t] != '/') {
      ++star_t;
      t = star_t;
      p = star_p;
      continue;
    }
    if (dstar_p != std::string_view::npos) {
      star_p = std::string_view::npos;
      ++dstar_t;
      t = dstar_t;
      p = dstar_p;
      continue;
    }
    return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace pullguard
