namespace Platform.DevicePlugin.Configuration;

/// <summary>What an Allocate response carries; combinable.</summary>
[Flags]
internal enum AllocateStrategies
{
    None = 0,

    /// <summary><c>NVIDIA_VISIBLE_DEVICES</c> (the NVIDIA container runtime reads it).</summary>
    EnvVar = 1,

    /// <summary>Explicit <c>/dev/nvidiaN</c> device specs plus the control nodes present on the host.</summary>
    DeviceSpecs = 2,

    /// <summary>CRI <c>cdi_devices</c> named <c>&lt;kind&gt;=&lt;id&gt;</c>.</summary>
    Cdi = 4,
}
