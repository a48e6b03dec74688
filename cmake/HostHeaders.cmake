# SPDX-License-Identifier: MIT
# Header-only dependencies from Debian's packages (xsimd, doctest, nlohmann-json), usable both by
# the native compiler and by Emscripten.
#
# Natively the packages' own CMake configs are used. Under Emscripten /usr/include must never be on
# the include path (it shadows Emscripten's libc), so each library's folder is exposed through a
# build-dir folder that holds only symbolic links, and an INTERFACE IMPORTED target of the same name
# as the native one points there. Callers link the same target names in both builds.

set(POSENC_HOST_INCLUDE "${CMAKE_BINARY_DIR}/host-include")

# posenc_host_header_target(<target> <header-to-find> <folder-to-link>)
function(posenc_host_header_target target probe folder)
  if(TARGET ${target})
    return()
  endif()
  find_path(_posenc_${target}_dir "${probe}" PATHS /usr/include /usr/local/include
            NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT _posenc_${target}_dir)
    message(FATAL_ERROR "posenc: ${probe} not found (apt-get install the Debian package that has it)")
  endif()
  file(MAKE_DIRECTORY "${POSENC_HOST_INCLUDE}")
  if(NOT EXISTS "${POSENC_HOST_INCLUDE}/${folder}")
    file(CREATE_LINK "${_posenc_${target}_dir}/${folder}" "${POSENC_HOST_INCLUDE}/${folder}" SYMBOLIC)
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${POSENC_HOST_INCLUDE}")
endfunction()

if(EMSCRIPTEN)
  posenc_host_header_target(xsimd xsimd/xsimd.hpp xsimd)
  posenc_host_header_target(doctest::doctest doctest/doctest.h doctest)
  posenc_host_header_target(nlohmann_json::nlohmann_json nlohmann/json.hpp nlohmann)
else()
  find_package(xsimd CONFIG REQUIRED)
  # Debian's xsimd target names an `xtl` dependency that xsimd 8 does not need and Debian does not ship.
  if(NOT TARGET xtl)
    set_property(TARGET xsimd PROPERTY INTERFACE_LINK_LIBRARIES "")
  endif()
  if(POSENC_BUILD_TESTS)
    find_package(doctest CONFIG REQUIRED)
    find_package(nlohmann_json CONFIG REQUIRED)
  endif()
endif()
