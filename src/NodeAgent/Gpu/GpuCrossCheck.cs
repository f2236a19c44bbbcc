using Platform.NodeAgent.Gpu.Native;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// Compares the NVML and CUDA views of the same GPUs by UUID. CUDA orders devices fastest-first unless
/// CUDA_DEVICE_ORDER=PCI_BUS_ID, so order is never compared; identity, memory and bus ID are.
/// </summary>
internal static class GpuCrossCheck
{
    /// <summary>
    /// CUDA's total is NVML's less the memory the driver reserves for itself (616 MiB of 143771 on an
    /// H200 with driver 580, ~565 MiB on an H100 80GB). A gap above this bound, or CUDA seeing more than
    /// NVML beyond rounding, is a disagreement.
    /// </summary>
    private static long MaxReserveMiB(long nvmlMiB) => Math.Max(1024, nvmlMiB / 64);

    private const long RoundingMiB = 16;

    public static IReadOnlyList<string> Compare(IReadOnlyList<GpuDevice> nvml, IReadOnlyList<CudaDeviceInfo> cuda)
    {
        var problems = new List<string>();
        var cudaByUuid = cuda.ToDictionary(d => d.Uuid, StringComparer.OrdinalIgnoreCase);
        foreach (var device in nvml)
        {
            if (!cudaByUuid.Remove(device.Uuid, out var other))
            {
                // MIG-enabled GPUs are hidden from CUDA unless a MIG device is selected.
                if (!device.MigEnabled)
                {
                    problems.Add($"GPU {device.Index} ({device.Uuid}) is visible to NVML but not to CUDA.");
                }

                continue;
            }

            if (!string.Equals(PciBusId.Normalize(other.PciBusId), device.PciBusId, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"GPU {device.Uuid}: PCI bus ID {device.PciBusId} (NVML) vs {other.PciBusId} (CUDA).");
            }

            var reserve = device.MemoryMiB - other.MemoryMiB;
            if (reserve < -RoundingMiB || reserve > MaxReserveMiB(device.MemoryMiB))
            {
                problems.Add($"GPU {device.Uuid}: memory {device.MemoryMiB} MiB (NVML) vs {other.MemoryMiB} MiB (CUDA).");
            }

            if (other.ComputeCapability != device.ComputeCapability)
            {
                problems.Add($"GPU {device.Uuid}: compute capability {device.ComputeCapability} (NVML) vs {other.ComputeCapability} (CUDA).");
            }
        }

        foreach (var (uuid, _) in cudaByUuid)
        {
            problems.Add($"GPU {uuid} is visible to CUDA but not to NVML.");
        }

        return problems;
    }
}
