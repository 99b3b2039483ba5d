// N-API glue for the bench part (placeholder until that part lands).
#include "binding/addon.h"

namespace tsnic {

void InitBench(Napi::Env, Napi::Object) {}

}  // namespace tsnic
