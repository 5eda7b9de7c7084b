# MPSIM_FUZZ: the library is built with coverage for libFuzzer
# (-fsanitize=fuzzer-no-link) and with ASan + UBSan, so every fuzz input also
# checks memory errors, leaks and undefined behaviour. Only clang has libFuzzer
# (Debian: clang and libclang-rt-14-dev); configure with CMAKE_CXX_COMPILER=clang++.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MPSIM_FUZZ needs clang (libFuzzer): configure a separate tree with "
                      "-DCMAKE_CXX_COMPILER=clang++, as tools/fuzz does")
endif()
if(MPSIM_SANITIZE)
  message(FATAL_ERROR "MPSIM_FUZZ already builds with ASan and UBSan; leave MPSIM_SANITIZE off")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
# -Werror belongs to the g++ build (the standard): clang 14 warns about other
# things (an unused private field, g++-only warning names), and a clang-only
# warning must not stop the fuzz stage of CI. Warnings are still printed.
add_compile_options(-Wno-error)
add_link_options(-fsanitize=address,undefined)
