// N-API glue for the vfio part (placeholder until that part lands).
#include "binding/addon.h"

namespace tsnic {

void InitVfio(Napi::Env, Napi::Object) {}

}  // namespace tsnic
