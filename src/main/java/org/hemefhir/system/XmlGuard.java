package org.hemefhir.system;

import java.util.regex.Pattern;

/**
 * The one rule for XML we did not write: a DOCTYPE or entity declaration is refused
 * before any parser sees the document (no external entities, no entity expansion). Used
 * by the server's request guard and by the offline validator.
 */
public final class XmlGuard {

	public static final String REFUSAL = "XML with a DOCTYPE or entity declaration is not accepted (external entities and entity expansion are refused)";

	private static final Pattern DTD = Pattern.compile("<!\\s*(DOCTYPE|ENTITY)", Pattern.CASE_INSENSITIVE);

	private XmlGuard() {
	}

	public static boolean declaresDtd(CharSequence xml) {
		return DTD.matcher(xml).find();
	}

}
