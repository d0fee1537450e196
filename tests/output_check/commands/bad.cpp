// A command that prints on its own: cmake/check_output.py must name both lines below.
#include <cstdio>
void Run(const nlohmann::json& j) {
  std::printf("%s\n", "done");  // printf("in a comment") is fine
  std::string s = j.dump();
  char buf[8];
  std::snprintf(buf, sizeof buf, "%d", 1);
}
