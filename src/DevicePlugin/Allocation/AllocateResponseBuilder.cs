using System.Globalization;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;
using V1Beta1;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Builds the container's Allocate response from the GPUs it got, with every configured strategy:
/// the visible-devices env var, explicit device specs, CDI device names, and extra env.
/// </summary>
internal sealed class AllocateResponseBuilder(PluginSettings settings, Func<string, bool> hostPathExists)
{
    /// <summary>How the container names a GPU: UUID or index, per DeviceIdStrategy.</summary>
    public string VisibleId(GpuDevice gpu) => settings.IdStrategy == DeviceIdStrategy.Index
        ? gpu.IndexName ?? gpu.Index.ToString(CultureInfo.InvariantCulture)
        : gpu.Uuid;

    public ContainerAllocateResponse Build(IReadOnlyList<GpuDevice> gpus)
    {
        var response = new ContainerAllocateResponse();
        var visible = gpus.Select(VisibleId).ToArray();
        if ((settings.Strategies & AllocateStrategies.EnvVar) != 0)
        {
            response.Envs[settings.VisibleDevicesEnvVar] = string.Join(',', visible);
        }

        if ((settings.Strategies & AllocateStrategies.DeviceSpecs) != 0)
        {
            foreach (var node in gpus.SelectMany(g => g.EffectiveDeviceNodes))
            {
                response.Devices.Add(Spec(node));
            }

            foreach (var node in settings.ControlDeviceNodes.Where(ExistsOnHost))
            {
                response.Devices.Add(Spec(node));
            }
        }

        if ((settings.Strategies & AllocateStrategies.Cdi) != 0)
        {
            foreach (var id in visible)
            {
                response.CdiDevices.Add(new CDIDevice { Name = $"{settings.CdiKind}={id}" });
            }
        }

        foreach (var (key, value) in settings.ExtraEnvironment)
        {
            response.Envs[key] = value;
        }

        return response;
    }

    private bool ExistsOnHost(string devicePath) =>
        hostPathExists(Path.Join(settings.HostRoot, devicePath));

    private static DeviceSpec Spec(string node) => new() { HostPath = node, ContainerPath = node, Permissions = "rw" };
}
