# Helpers that give every Ramiel target the same warnings, sanitizers and include root.

option(RAMIEL_WERROR "Turn compiler warnings into errors (CI and scripts/build.sh turn it on)" OFF)

set(RAMIEL_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(RAMIEL_WERROR)
  list(APPEND RAMIEL_WARNINGS -Werror)
endif()
# GCC 12 at -O3 (Release) warns inside libstdc++ about code that is correct: -Wrestrict in
# std::string's operator+ and assign (GCC PR 105329) and -Wmaybe-uninitialized in std::optional's
# destructor (GCC PR 80635). Off for that compiler and configuration only; the -O2 builds that CI
# runs keep both warnings.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND RAMIEL_WARNINGS $<$<CONFIG:Release>:-Wno-restrict> $<$<CONFIG:Release>:-Wno-maybe-uninitialized>)
endif()

set(RAMIEL_SANITIZER_FLAGS "")
if(RAMIEL_SANITIZE STREQUAL "address")
  set(RAMIEL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(RAMIEL_SANITIZE STREQUAL "thread")
  set(RAMIEL_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT RAMIEL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "RAMIEL_SANITIZE must be '', 'address' or 'thread', not '${RAMIEL_SANITIZE}'")
endif()

# Sanitizers must cover every object that is linked, so they apply to the whole build tree.
if(RAMIEL_SANITIZER_FLAGS)
  add_compile_options(${RAMIEL_SANITIZER_FLAGS})
  add_link_options(${RAMIEL_SANITIZER_FLAGS})
endif()

function(ramiel_target_defaults target)
  target_compile_options(${target} PRIVATE ${RAMIEL_WARNINGS})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
endfunction()

# ramiel_library(NAME SOURCES ... DEPS ...): a static library of one core folder.
function(ramiel_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  ramiel_target_defaults(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()
