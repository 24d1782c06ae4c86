// Built by tests/consumer against an installed restws only.
#include <iostream>

#include <restws/http/header_fields.hpp>

int main() {
  restws::http_header_fields_t fields{{"Connection", "keep-alive, Upgrade"}};
  if (!restws::http::has_token(fields.value_of("connection"), "upgrade")) return 1;
  std::cout << "restws consumer ok\n";
  return 0;
}
