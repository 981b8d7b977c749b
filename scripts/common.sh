# Sourced by the scripts: checks the tools a build needs, each with the fix when missing.
need() {
  local tool=$1 fix=$2
  command -v "$tool" >/dev/null 2>&1 || { echo "nabla: '$tool' is needed: $fix" >&2; exit 1; }
}
need_build_tools() {
  need java  "install a JDK 17 (apt-get install openjdk-17-jdk-headless)"
  need mvn   "install Maven (apt-get install maven)"
  need cmake "install CMake >= 3.18 (apt-get install cmake)"
  need g++   "install a C++ compiler (apt-get install g++)"
  need python3 "install Python 3 (apt-get install python3): it builds the tests' CUDA emulator"
}
