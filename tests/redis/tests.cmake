# The Redis bridge (restws::redis): its sans-IO pieces, and the bridge against a real
# redis-server (tests/integration/redis/). Binaries of their own, so that the core's tests need no
# hiredis and a change to the bridge rebuilds only these. ctest -L redis, or -R redis.
if(NOT RESTWS_HAVE_REDIS)
  message(STATUS "restws: no Redis bridge (hiredis not found), its tests are not built")
  return()
endif()

file(GLOB RESTWS_REDIS_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/redis/*_test.cpp)
add_executable(restws_redis_unit_tests ${RESTWS_REDIS_UNIT_TESTS})
target_link_libraries(restws_redis_unit_tests PRIVATE restws::redis GTest::gtest_main)
target_include_directories(restws_redis_unit_tests PRIVATE ${PROJECT_SOURCE_DIR}/src)
restws_strict_warnings(restws_redis_unit_tests)
gtest_discover_tests(restws_redis_unit_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS redis)

# A real redis-server (Debian redis-server; scripts/deps.sh): the tests fail, not skip, without
# it. RESTWS_REDIS_SERVER overrides where it is.
set(RESTWS_REDIS_SERVER /usr/bin/redis-server CACHE FILEPATH "redis-server for the bridge's tests")
file(GLOB RESTWS_REDIS_INTEGRATION_TESTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/integration/redis/*_test.cpp)
add_executable(restws_redis_integration_tests ${RESTWS_REDIS_INTEGRATION_TESTS})
target_include_directories(restws_redis_integration_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                                                                  ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(restws_redis_integration_tests PRIVATE restws::redis PkgConfig::RESTWS_HIREDIS
                                                             GTest::gtest_main)
target_compile_definitions(restws_redis_integration_tests PRIVATE
  RESTWS_TEST_REDIS_SERVER="${RESTWS_REDIS_SERVER}")
restws_strict_warnings(restws_redis_integration_tests)
gtest_discover_tests(restws_redis_integration_tests DISCOVERY_TIMEOUT 60
                     PROPERTIES LABELS redis TIMEOUT 120)
