// Runs the ObjectStore conformance suite on the drivers that need no server: memory and
// file:// (each test gets a fresh temporary root, removed when the store is dropped).
#include <stdlib.h>

#include <filesystem>

#include "conformance/store_conformance.h"
#include "conformance/versions_conformance.h"
#include "store/file/file_store.h"
#include "store/memory/memory_store.h"

namespace dredge::testing {
namespace {

std::shared_ptr<ObjectStore> MakeTempFileStore() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "dredge-file-store-XXXXXX").string();
  char* dir = ::mkdtemp(tmpl.data());
  if (!dir) {
    ADD_FAILURE() << "mkdtemp failed";
    return nullptr;
  }
  std::string root = std::string(dir) + "/root";  // the store creates its root on first write
  auto* store = new FileStore(root);
  return std::shared_ptr<ObjectStore>(store, [parent = std::string(dir)](ObjectStore* s) {
    delete s;
    std::error_code ec;
    std::filesystem::remove_all(parent, ec);
  });
}

INSTANTIATE_TEST_SUITE_P(
    Local, StoreConformance,
    ::testing::Values(
        StoreFactory{"memory", [] { return std::make_shared<MemoryStore>(); }, {}},
        StoreFactory{
            "memory_versioned",
            [] {
              return std::make_shared<MemoryStore>("versioned", MemoryStoreOptions{true, true});
            },
            {}},
        StoreFactory{"file", [] { return MakeTempFileStore(); }, {}}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Local, VersionsConformance,
    ::testing::Values(
        StoreFactory{
            "memory_locked",
            [] {
              return std::make_shared<MemoryStore>("locked", MemoryStoreOptions{true, true});
            },
            {}},
        StoreFactory{
            "memory_unlocked",
            [] {
              return std::make_shared<MemoryStore>("versioned", MemoryStoreOptions{true, false});
            },
            {kLimitNoObjectLock}}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace dredge::testing
