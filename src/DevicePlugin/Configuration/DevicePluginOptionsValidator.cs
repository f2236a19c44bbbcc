using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.DevicePlugin.Configuration;

/// <summary>
/// Validates <see cref="DevicePluginOptions"/> at start, listing every error with the key and the fix,
/// and turns valid options into <see cref="PluginSettings"/>.
/// </summary>
public sealed partial class DevicePluginOptionsValidator : IValidateOptions<DevicePluginOptions>
{
    private const string Prefix = DevicePluginOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, DevicePluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Parse(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static PluginSettings ParseOrThrow(DevicePluginOptions options)
    {
        var errors = new List<string>();
        var settings = Parse(options, errors);
        return settings ?? throw new OptionsValidationException(DevicePluginOptions.SectionName, typeof(DevicePluginOptions), errors);
    }

    internal static PluginSettings? Parse(DevicePluginOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.KubeletDirectory) || !Path.IsPathRooted(options.KubeletDirectory))
        {
            errors.Add($"{Prefix}KubeletDirectory '{options.KubeletDirectory}' must be an absolute path, normally {KubeletPaths.DevicePluginDirectory}.");
        }

        CheckResourceName("ResourceName", options.ResourceName, requireGpuSuffix: false, errors);
        var socketName = options.SocketName ?? DeriveSocketName(options.ResourceName);
        CheckSocketName("SocketName", socketName, options.KubeletDirectory, errors);

        var strategies = ParseStrategies(options.AllocateStrategies, errors);
        var idStrategy = options.DeviceIdStrategy?.Trim().ToLowerInvariant() switch
        {
            "uuid" => DeviceIdStrategy.Uuid,
            "index" => DeviceIdStrategy.Index,
            _ => Error<DeviceIdStrategy>(errors, $"{Prefix}DeviceIdStrategy '{options.DeviceIdStrategy}' is not supported; use 'uuid' or 'index'."),
        };

        if (!EnvNameRegex().IsMatch(options.VisibleDevicesEnvVar ?? string.Empty))
        {
            errors.Add($"{Prefix}VisibleDevicesEnvVar '{options.VisibleDevicesEnvVar}' is not an environment variable name (letters, digits, '_'; not starting with a digit).");
        }

        foreach (var (key, _) in options.ExtraEnvironment)
        {
            if (!EnvNameRegex().IsMatch(key))
            {
                errors.Add($"{Prefix}ExtraEnvironment key '{key}' is not an environment variable name (letters, digits, '_'; not starting with a digit).");
            }
        }

        if ((strategies & AllocateStrategies.Cdi) != 0 && !CdiKindRegex().IsMatch(options.CdiKind ?? string.Empty))
        {
            errors.Add($"{Prefix}CdiKind '{options.CdiKind}' must look like 'vendor.com/class' (e.g. nvidia.com/gpu).");
        }

        var controlNodes = (options.ControlDeviceNodes ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var node in controlNodes.Where(n => !n.StartsWith("/dev/", StringComparison.Ordinal)))
        {
            errors.Add($"{Prefix}ControlDeviceNodes entry '{node}' must be an absolute path under /dev/.");
        }

        if (string.IsNullOrWhiteSpace(options.HostRoot) || !Path.IsPathRooted(options.HostRoot))
        {
            errors.Add($"{Prefix}HostRoot '{options.HostRoot}' must be an absolute path ('/' when running on the host's root).");
        }

        CheckPositive("RegistrationInitialBackoff", options.RegistrationInitialBackoff, errors);
        CheckPositive("RegistrationMaxBackoff", options.RegistrationMaxBackoff, errors);
        CheckPositive("RegistrationTimeout", options.RegistrationTimeout, errors);
        CheckPositive("KubeletCheckInterval", options.KubeletCheckInterval, errors);
        if (options.RegistrationMaxBackoff < options.RegistrationInitialBackoff)
        {
            errors.Add($"{Prefix}RegistrationMaxBackoff ({options.RegistrationMaxBackoff}) is below RegistrationInitialBackoff ({options.RegistrationInitialBackoff}); raise it.");
        }

        if (options.ListAndWatchCoalesce < TimeSpan.Zero || options.ListAndWatchCoalesce > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Prefix}ListAndWatchCoalesce ({options.ListAndWatchCoalesce}) must be between 0 and 1 s; health changes are delayed by it.");
        }

        var (replicas, shared) = ParseSharing(options, socketName, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        return new PluginSettings
        {
            KubeletDirectory = Path.GetFullPath(options.KubeletDirectory),
            Primary = new ResourceSettings(options.ResourceName, socketName, IsShared: false),
            Shared = shared,
            Strategies = strategies,
            IdStrategy = idStrategy,
            VisibleDevicesEnvVar = options.VisibleDevicesEnvVar!,
            ExtraEnvironment = new Dictionary<string, string>(options.ExtraEnvironment, StringComparer.Ordinal),
            CdiKind = options.CdiKind ?? string.Empty,
            ControlDeviceNodes = controlNodes,
            HostRoot = options.HostRoot,
            PreferredAllocation = options.PreferredAllocation,
            PreStartCheck = options.PreStartCheck,
            Replicas = replicas,
            RegistrationInitialBackoff = options.RegistrationInitialBackoff,
            RegistrationMaxBackoff = options.RegistrationMaxBackoff,
            RegistrationTimeout = options.RegistrationTimeout,
            KubeletCheckInterval = options.KubeletCheckInterval,
            ListAndWatchCoalesce = options.ListAndWatchCoalesce,
        };
    }

    /// <summary><c>nvidia.com/gpu</c> → <c>nvidia-gpu.sock</c>, the name NVIDIA's plugin uses.</summary>
    internal static string DeriveSocketName(string? resourceName)
    {
        if (string.IsNullOrEmpty(resourceName))
        {
            return "gpu.sock";
        }

        var slash = resourceName.IndexOf('/', StringComparison.Ordinal);
        var domain = slash > 0 ? resourceName[..slash] : string.Empty;
        var name = resourceName[(slash + 1)..];
        var vendor = domain.Split('.')[0];
        return (vendor.Length > 0 ? $"{vendor}-{name}" : name).Replace('/', '-') + ".sock";
    }

    private static (ReplicaPolicy Policy, ResourceSettings? Shared) ParseSharing(DevicePluginOptions options, string primarySocket, List<string> errors)
    {
        const string S = Prefix + "Sharing:";
        var sharing = options.Sharing ?? new SharingOptions();
        if (sharing.Replicas is < 1 or > 1000)
        {
            errors.Add($"{S}Replicas {sharing.Replicas} must be between 1 (no sharing) and 1000.");
        }

        for (var i = 0; i < sharing.Devices.Count; i++)
        {
            var entry = sharing.Devices[i];
            var selectors = (entry.Uuid is null ? 0 : 1) + (entry.Index is null ? 0 : 1) + (entry.Product is null ? 0 : 1);
            if (selectors != 1)
            {
                errors.Add($"{S}Devices:{i} must set exactly one of Uuid, Index, Product (found {selectors}).");
            }

            if (entry.Index is < 0)
            {
                errors.Add($"{S}Devices:{i}:Index {entry.Index} must be 0 or more.");
            }

            if (entry.Replicas is < 1 or > 1000)
            {
                errors.Add($"{S}Devices:{i}:Replicas {entry.Replicas} must be between 1 and 1000.");
            }
        }

        var placement = sharing.Placement?.Trim().ToLowerInvariant() switch
        {
            "distributed" => ReplicaPlacement.Distributed,
            "packed" => ReplicaPlacement.Packed,
            _ => Error<ReplicaPlacement>(errors, $"{S}Placement '{sharing.Placement}' is not supported; use 'distributed' or 'packed'."),
        };

        ResourceSettings? shared = null;
        if (!string.IsNullOrEmpty(sharing.SharedResourceName))
        {
            CheckResourceName("Sharing:SharedResourceName", sharing.SharedResourceName, requireGpuSuffix: true, errors);
            if (string.Equals(sharing.SharedResourceName, options.ResourceName, StringComparison.Ordinal))
            {
                errors.Add($"{S}SharedResourceName must differ from {Prefix}ResourceName '{options.ResourceName}'; unset it to advertise shared GPUs under ResourceName.");
            }

            var sharedSocket = sharing.SharedSocketName ?? DeriveSocketName(sharing.SharedResourceName);
            CheckSocketName("Sharing:SharedSocketName", sharedSocket, options.KubeletDirectory, errors);
            if (string.Equals(sharedSocket, primarySocket, StringComparison.Ordinal))
            {
                errors.Add($"{S}SharedSocketName '{sharedSocket}' equals the primary socket name; choose another.");
            }

            shared = new ResourceSettings(sharing.SharedResourceName, sharedSocket, IsShared: true);
        }

        var policy = new ReplicaPolicy(sharing.Replicas, sharing.Devices.ToArray(), shared is not null, sharing.FailRequestsGreaterThanOne, placement);
        return (policy, shared);
    }

    private static AllocateStrategies ParseStrategies(string? value, List<string> errors)
    {
        var result = AllocateStrategies.None;
        foreach (var item in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= item.ToLowerInvariant() switch
            {
                "envvar" => AllocateStrategies.EnvVar,
                "device-specs" => AllocateStrategies.DeviceSpecs,
                "cdi" => AllocateStrategies.Cdi,
                _ => Error<AllocateStrategies>(errors, $"{Prefix}AllocateStrategies entry '{item}' is not supported; use a comma-separated list of envvar, device-specs, cdi."),
            };
        }

        if (result == AllocateStrategies.None && !errors.Any(e => e.Contains("AllocateStrategies", StringComparison.Ordinal)))
        {
            errors.Add($"{Prefix}AllocateStrategies is empty; set at least one of envvar, device-specs, cdi (default envvar).");
        }

        return result;
    }

    private static void CheckResourceName(string key, string? value, bool requireGpuSuffix, List<string> errors)
    {
        if (value is null || !ResourceNameRegex().IsMatch(value) || value.Length > 253)
        {
            errors.Add($"{Prefix}{key} '{value}' is not an extended resource name 'domain/name' (e.g. nvidia.com/gpu).");
            return;
        }

        var domain = value[..value.IndexOf('/', StringComparison.Ordinal)];
        if (domain == "kubernetes.io" || domain.EndsWith(".kubernetes.io", StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}{key} '{value}' uses the kubernetes.io domain, which the kubelet reserves; use a vendor domain such as nvidia.com.");
        }

        if (requireGpuSuffix && !value.EndsWith("gpu", StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}{key} '{value}' must end in 'gpu' so KubeRay turns it into --num-gpus (e.g. nvidia.com/shared-gpu; nvidia.com/gpu.shared is not recognised).");
        }
    }

    private static void CheckSocketName(string key, string socketName, string? directory, List<string> errors)
    {
        if (socketName.Length == 0 || socketName.Contains('/', StringComparison.Ordinal) || socketName == KubeletPaths.KubeletSocketName)
        {
            errors.Add($"{Prefix}{key} '{socketName}' must be a plain file name other than kubelet.sock (e.g. nvidia-gpu.sock).");
            return;
        }

        // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
        var full = Path.Combine(directory ?? string.Empty, socketName);
        if (System.Text.Encoding.UTF8.GetByteCount(full) > 107)
        {
            errors.Add($"{Prefix}{key}: socket path '{full}' is longer than 107 bytes, the Unix socket limit; shorten the directory or the name.");
        }
    }

    private static void CheckPositive(string key, TimeSpan value, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{Prefix}{key} ({value}) must be positive.");
        }
    }

    private static T Error<T>(List<string> errors, string message)
        where T : struct
    {
        errors.Add(message);
        return default;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex ResourceNameRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")]
    private static partial Regex CdiKindRegex();
}
