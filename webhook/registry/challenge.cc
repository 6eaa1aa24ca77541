#include "registry/challenge.h"

#include <cctype>

namespace pullguard::registry {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}
  void SkipSpaceAndCommas() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  std::string Token() {
    size_t start = i_;
    while (i_ < s_.size() && IsTokenChar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  std::string Quoted() {  // REQUIRES: at '"'
    std::string out;
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out.push_back(s_[i_++]);
    }
    if (i_ < s_.size()) ++i_;
    return out;
  }
  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Done() const { return i_ >= s_.size(); }
  size_t pos() const { return i_; }
  void Seek(size_t p) { i_ = p; }
  void Advance() { ++i_; }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Challenge> ParseChallenges(const std::vector<std::string>& header_values) {
  std::vector<Challenge> out;
  for (const auto& value : header_values) {
    Scanner sc(value);
    while (true) {
      sc.SkipSpaceAndCommas();
      if (sc.Done()) break;
      std::string scheme = sc.Token();
      if (scheme.empty()) {
        sc.Advance();  // skip junk rather than loop forever
        continue;
      }
      Challenge challenge{Lower(scheme), {}};
      // Parameters until the next token that is not followed by '=' (the next scheme).
      while (true) {
        sc.SkipSpaceAndCommas();
        size_t mark = sc.pos();
        std::string name = sc.Token();
        sc.SkipSpace();
        if (name.empty() || !sc.At('=')) {
          sc.Seek(mark);
          break;
        }
        sc.Advance();
        sc.SkipSpace();
        std::string param_value = sc.At('"') ? sc.Quoted() : sc.Token();
        challenge.params[Lower(name)] = param_value;
      }
      out.push_back(std::move(challenge));
    }
  }
  return out;
}

}  // namespace pullguard::registry
