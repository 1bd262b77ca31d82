# libpsp-core's ABI against the committed baseline (core/abi/, docs/abi.md);
# label abi.  `cmake --build BUILD --target abi-baseline` rewrites the
# baseline from the library just built, after a soname bump.
set(PSP_ABI_BASELINE ${CMAKE_SOURCE_DIR}/core/abi/libpsp-core.abi)
set(PSP_ABI_SUPPR ${CMAKE_SOURCE_DIR}/core/abi/suppressions.ini)
set(PSP_ABI_HEADERS ${CMAKE_SOURCE_DIR}/core/include/psp)
add_test(NAME abi.libpsp_core COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/abi/check.sh
  $<TARGET_FILE:psp_core_shared> ${PSP_ABI_HEADERS} ${PSP_ABI_BASELINE} ${PSP_ABI_SUPPR})
set_tests_properties(abi.libpsp_core PROPERTIES LABELS "abi" TIMEOUT 120 SKIP_RETURN_CODE 77)
find_program(PSP_ABIDW abidw)
if(PSP_ABIDW)
  add_custom_target(abi-baseline
    COMMAND ${PSP_ABIDW} --headers-dir ${PSP_ABI_HEADERS} --no-corpus-path --short-locs
            --no-comp-dir-path --drop-private-types --drop-undefined-syms
            --out-file ${PSP_ABI_BASELINE} $<TARGET_FILE:psp_core_shared>
    DEPENDS psp_core_shared
    COMMENT "libpsp-core's ABI baseline -> core/abi/libpsp-core.abi"
    VERBATIM)
endif()
