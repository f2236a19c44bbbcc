using System.Reflection;
using System.Runtime.InteropServices;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// Finds <c>libnvidia-ml.so.1</c> and <c>libcuda.so.1</c> under the configured driver root (the host's
/// root mounted into the container, or <c>/</c>) and the usual container mounts, and hands the handle to
/// the runtime through <see cref="NativeLibrary.SetDllImportResolver"/>. A library that cannot be found is
/// reported by <see cref="TryLoad"/> with every path tried, before any P/Invoke runs.
/// </summary>
internal static class NativeLibraryResolver
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, nint> Loaded = new(StringComparer.Ordinal);
    private static bool s_installed;

    /// <summary>Directories searched below the driver root, in order (Debian/Ubuntu, RHEL, generic).</summary>
    internal static readonly string[] RootRelativeDirectories =
    [
        "usr/lib/x86_64-linux-gnu",
        "usr/lib/aarch64-linux-gnu",
        "usr/lib64",
        "usr/lib",
        "lib64",
        "lib",
    ];

    /// <summary>Absolute directories the NVIDIA container toolkit and GPU operators mount into pods.</summary>
    internal static readonly string[] ContainerDirectories =
    [
        "/usr/local/nvidia/lib64",
        "/usr/local/nvidia/lib",
        "/run/nvidia/driver/usr/lib/x86_64-linux-gnu",
        "/run/nvidia/driver/usr/lib64",
    ];

    /// <summary>The candidate paths for <paramref name="library"/>, driver root first, then the system loader's own search.</summary>
    public static IReadOnlyList<string> CandidatePaths(string driverRoot, string library)
    {
        var paths = new List<string>();
        foreach (var dir in RootRelativeDirectories)
        {
            paths.Add(Path.Combine(driverRoot, dir, library));
        }

        foreach (var dir in ContainerDirectories)
        {
            paths.Add(Path.Combine(dir, library));
        }

        return paths;
    }

    /// <summary>
    /// Loads <paramref name="library"/> (an absolute candidate first, then the loader's default search by
    /// name) and remembers the handle for the resolver. Never throws: returns false and a reason naming
    /// every path tried.
    /// </summary>
    public static bool TryLoad(string driverRoot, string library, out string failure)
    {
        lock (Gate)
        {
            Install();
            if (Loaded.ContainsKey(library))
            {
                failure = string.Empty;
                return true;
            }

            var tried = CandidatePaths(driverRoot, library);
            foreach (var path in tried)
            {
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    Loaded[library] = handle;
                    failure = string.Empty;
                    return true;
                }
            }

            if (NativeLibrary.TryLoad(library, out var byName))
            {
                Loaded[library] = byName;
                failure = string.Empty;
                return true;
            }

            failure = $"{library} was not found under driver root '{driverRoot}' nor by the system loader " +
                      $"(tried {string.Join(", ", tried)}). Mount the host driver and set Gpu:DriverRoot, or set Gpu:Driver=simulated.";
            return false;
        }
    }

    private static void Install()
    {
        if (s_installed)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        s_installed = true;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        lock (Gate)
        {
            // Zero falls back to the default probing, which raises DllNotFoundException for a missing driver.
            return Loaded.TryGetValue(libraryName, out var handle) ? handle : 0;
        }
    }
}
