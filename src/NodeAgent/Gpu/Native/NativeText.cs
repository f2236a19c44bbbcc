using System.Runtime.InteropServices;
using System.Text;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>Conversions of the C strings and byte arrays the drivers fill in.</summary>
internal static class NativeText
{
    /// <summary>Reads a NUL-terminated ASCII/UTF-8 string from a fixed buffer.</summary>
    public static string FromBuffer(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]).Trim();
    }

    public static string FromPointer(nint pointer) =>
        pointer == 0 ? string.Empty : Marshal.PtrToStringUTF8(pointer) ?? string.Empty;

    /// <summary>
    /// Formats CUDA's 16 raw UUID bytes the way NVML prints them: <c>GPU-</c> then 8-4-4-4-12 lowercase hex.
    /// </summary>
    public static string FormatGpuUuid(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 16)
        {
            throw new ArgumentException("A CUDA UUID has 16 bytes.", nameof(bytes));
        }

        var hex = Convert.ToHexStringLower(bytes);
        return $"GPU-{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
