using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Gpu;

/// <summary>Checks <see cref="GpuOptions"/> at start and lists every problem with the key to fix.</summary>
internal sealed class GpuOptionsValidator(ClusterDetector cluster) : IValidateOptions<GpuOptions>
{
    public ValidateOptionsResult Validate(string? name, GpuOptions options)
    {
        var errors = new List<string>();
        if (!GpuDriverKinds.All.Contains(options.Driver, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"Gpu:Driver is '{options.Driver}'; use one of {string.Join(", ", GpuDriverKinds.All)}.");
        }

        if (string.IsNullOrWhiteSpace(options.DriverRoot) || !Path.IsPathRooted(options.DriverRoot))
        {
            errors.Add($"Gpu:DriverRoot is '{options.DriverRoot}'; use an absolute path such as / or /host.");
        }

        var sim = options.Simulated;
        if (string.Equals(options.Driver, GpuDriverKinds.Simulated, StringComparison.OrdinalIgnoreCase))
        {
            if (sim.Count is < 0 or > 64)
            {
                errors.Add($"Gpu:Simulated:Count is {sim.Count}; use 0 to 64.");
            }

            if (string.IsNullOrWhiteSpace(sim.Product))
            {
                errors.Add("Gpu:Simulated:Product is empty; give a model name such as 'NVIDIA A10G'.");
            }

            if (sim.MemoryMiB <= 0)
            {
                errors.Add($"Gpu:Simulated:MemoryMiB is {sim.MemoryMiB}; use a positive size in MiB, e.g. 23028.");
            }

            if (!ComputeCapability.TryParse(sim.ComputeCapability, out _))
            {
                errors.Add($"Gpu:Simulated:ComputeCapability is '{sim.ComputeCapability}'; use <major>.<minor>, e.g. 8.6.");
            }

            if (!DriverVersion.TryParseCuda(sim.CudaVersion, out _))
            {
                errors.Add($"Gpu:Simulated:CudaVersion is '{sim.CudaVersion}'; use <major>.<minor>, e.g. 12.4.");
            }

            if (string.IsNullOrWhiteSpace(sim.DriverVersion))
            {
                errors.Add("Gpu:Simulated:DriverVersion is empty; use a dotted version such as 550.54.15.");
            }

            // Simulated GPUs advertised to a real kubelet would take real pods; fault injection would be open too.
            if (!sim.AllowInCluster && cluster.Evidence() is { } evidence)
            {
                errors.Add($"Gpu:Driver is 'simulated' but the agent runs in a Kubernetes cluster ({evidence}): the kubelet would schedule real pods onto simulated GPUs. Use a real driver (Gpu:Driver=auto), or for a demo cluster such as kind set Gpu:Simulated:AllowInCluster=true.");
            }

            Simulated.SimulatedMig.Validate(sim, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
