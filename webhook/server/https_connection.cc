#include "server/https_connection.h"

namespace pullguard::server {
namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

}  // namespace

std::string SerializeAnswer(const Answer& a, bool keep_alive, bool head_only) {
  std::string out;
  out.reserve(a.body.size() + 160);
  out += "HTTP/1.1 " + std::to_string(a.status) + " " + StatusText(a.status) + "\r\nContent-Type: " + a.content_type +
         "\r\nContent-Length: " + std::to_string(a.body.size()) + (keep_alive ? "\r\n" : "\r\nConnection: close\r\n") + "\r\n";
  if (!head_only) out += a.body;
  return out;
}

std::string JsonError(const std::string& message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return "{\"error\":\"" + escaped + "\"}";
}

}  // namespace pullguard::server
