# The checks behind the fuzz targets: built into the fuzz binaries (MPSIM_FUZZ)
# and into mpsim_unit_tests, which replays every stored reproducer with them.
set(MPSIM_FUZZ_CHECKS
  ${CMAKE_CURRENT_LIST_DIR}/load_check.cpp ${CMAKE_CURRENT_LIST_DIR}/expr_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scenario_check.cpp ${CMAKE_CURRENT_LIST_DIR}/scenario_gen.cpp
  ${CMAKE_CURRENT_LIST_DIR}/invariants.cpp)
