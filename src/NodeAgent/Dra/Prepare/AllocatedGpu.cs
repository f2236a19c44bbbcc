using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>A GPU of this node that a claim's allocation names, with every request of the claim it serves.</summary>
internal sealed record AllocatedGpu(GpuDevice Gpu, string PoolName, string DeviceName, IReadOnlyList<string> RequestNames);
