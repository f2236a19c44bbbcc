using System.Text.RegularExpressions;

namespace Platform.NodeAgent.Dra;

/// <summary>
/// A request name as a claim's allocation result gives it: the request's name, a DNS label, or for a request
/// with a prioritized list (<c>firstAvailable</c>) <c>&lt;request&gt;/&lt;subrequest&gt;</c>, both DNS labels. The API
/// server enforces this; the agent checks it again because the name becomes part of a CDI device name, and one
/// malformed name would make the container runtime drop the claim's whole spec file.
/// </summary>
internal static partial class DraRequestName
{
    public const char SubrequestSeparator = '/';

    public static bool IsValid(string? request) => request is not null && Pattern().IsMatch(request);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
