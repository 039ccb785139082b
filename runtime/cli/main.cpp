// The `leadflow` command line: parses arguments and dispatches to one command per file.
#include <iostream>

int main() {
  std::cout << "leadflow " << LEADFLOW_VERSION << "\n";
  return 0;
}
