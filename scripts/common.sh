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
# -h/--help is answered with the script's own header comment (the lines after the shebang),
# before the script does anything else: no build, no Maven, no mkdir.
help_wanted() {
  local a
  for a in "$@"; do case "$a" in -h|--help) return 0 ;; esac; done
  return 1
}
print_help() {
  sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "$0"
}
help_if_asked() {
  if help_wanted "$@"; then print_help; exit 0; fi
}
