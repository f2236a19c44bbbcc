namespace Platform.DevicePlugin.Configuration;

/// <summary>How the container names its GPUs (env var, CDI names).</summary>
internal enum DeviceIdStrategy
{
    Uuid,
    Index,
}
