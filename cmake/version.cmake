# The git commit in `dredge --version` (src/cli/build_info.h). Asked from git at every build, so
# it is never stale; -DDREDGE_GIT_COMMIT=<hash> sets it where there is no git checkout (a source
# tarball). Without either the version shows no commit.
set(DREDGE_GIT_COMMIT "" CACHE STRING "Commit shown by dredge --version (default: ask git)")
set(DREDGE_BUILD_COMMIT_CPP ${PROJECT_BINARY_DIR}/generated/build_commit.cpp)
add_custom_target(dredge_build_commit
  COMMAND ${CMAKE_COMMAND} -DOUT=${DREDGE_BUILD_COMMIT_CPP} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DCOMMIT=${DREDGE_GIT_COMMIT} -P ${PROJECT_SOURCE_DIR}/cmake/write_build_commit.cmake
  BYPRODUCTS ${DREDGE_BUILD_COMMIT_CPP}
  COMMENT "" VERBATIM)
target_sources(dredge PRIVATE ${DREDGE_BUILD_COMMIT_CPP})
add_dependencies(dredge dredge_build_commit)
