// N-API glue for the sim part (placeholder until that part lands).
#include "binding/addon.h"

namespace tsnic {

void InitSim(Napi::Env, Napi::Object) {}

}  // namespace tsnic
