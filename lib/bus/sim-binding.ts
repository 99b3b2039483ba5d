/** native/binding/sim.cc: filled in by the simulated 82599. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SimBinding {}
